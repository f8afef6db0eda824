package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One operator, two fleets: a shortage one fleet met is avoided by the other at once. */
class SharedOfferingsTest {
  private final MutableClock clock = new MutableClock();
  private final FakeEc2 fake = new FakeEc2(clock);
  private final FleetLoop loop =
      new FleetLoop(
          CloudPorts.of(fake).withOfferings(fake),
          UnavailableOfferings.DEFAULT_TTL,
          LoopHarness.CLUSTER,
          clock,
          PlanInput.Timing.DEFAULT,
          new FleetEvents() {
            @Override
            public void normal(ServerFleet fleet, String reason, String message) {}

            @Override
            public void warning(ServerFleet fleet, String reason, String message) {}
          },
          new FleetMetrics(new SimpleMeterRegistry()),
          new MemoryFleetStore(f -> f));

  private static ServerFleet fleet(String name, String uid) {
    FleetTemplate t = new FleetTemplate();
    t.setAmiId(LoopHarness.AMI);
    t.setInstanceTypes(List.of("t3.micro", "t3.small"));
    t.setSubnetIds(List.of("subnet-a"));
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(1);
    spec.setTemplate(t);
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("shop")
            .withUid(uid)
            .withGeneration(1L)
            .withResourceVersion("1")
            .build());
    fleet.setSpec(spec);
    return fleet;
  }

  private void pass(ServerFleet fleet) {
    loop.run(
        fleet,
        Observation.NONE,
        (f, status) -> {
          f.setStatus(status);
          return f;
        },
        new FleetLoop.CacheUpdates() {
          @Override
          public void launched(Instance instance) {}

          @Override
          public void terminating(String instanceId) {}
        });
  }

  @Test
  void theSecondFleetLaunchesTheNextTypeWithoutMeetingTheShortage() {
    fake.setOfferingShortage("t3.micro", "us-east-1a", "InsufficientInstanceCapacity");
    ServerFleet first = fleet("web", "11111111-1111-1111-1111-111111111111");
    ServerFleet second = fleet("api", "22222222-2222-2222-2222-222222222222");

    pass(first);
    pass(second);

    assertThat(fake.runRequests())
        .extracting(LaunchRequest::instanceType)
        .as("the first fleet meets the shortage, the second goes straight to the next type")
        .containsExactly("t3.micro", "t3.small");
    assertThat(second.getStatus().getUnavailableOfferings())
        .singleElement()
        .satisfies(o -> assertThat(o.instanceType()).isEqualTo("t3.micro"));
  }

  @Test
  void theTtlComesFromTheOperatorsSetting() {
    FleetLoop shortLived =
        new FleetLoop(
            CloudPorts.of(fake).withOfferings(fake),
            java.time.Duration.ofSeconds(30),
            LoopHarness.CLUSTER,
            clock,
            PlanInput.Timing.DEFAULT,
            null,
            new FleetMetrics(new SimpleMeterRegistry()),
            new MemoryFleetStore(f -> f));

    assertThat(shortLived.failures().offerings().ttl()).isEqualTo(java.time.Duration.ofSeconds(30));
  }
}
