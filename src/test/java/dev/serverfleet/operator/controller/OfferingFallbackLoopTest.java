package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static dev.serverfleet.operator.controller.LoopScenarios.assertConverged;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.UnavailableOffering;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Ordered instance types against the in-memory EC2: a launch whose offering is out of capacity
 * moves to the next type in the same subnet, the offering is avoided for the TTL, types a zone does
 * not offer are learned once, and zone balance comes first.
 */
class OfferingFallbackLoopTest {
  private static final String ICE = "InsufficientInstanceCapacity";

  private static LoopHarness fleet(int replicas, String... types) {
    LoopHarness h = new LoopHarness(replicas);
    h.editSpec(
        s -> {
          s.getTemplate().setInstanceType(null);
          s.getTemplate().setInstanceTypes(List.of(types));
        });
    return h;
  }

  private static Map<String, Map<String, Long>> typesBySubnet(LoopHarness h) {
    return h.liveInstances().stream()
        .collect(
            Collectors.groupingBy(
                Instance::subnetId,
                Collectors.groupingBy(Instance::instanceType, Collectors.counting())));
  }

  private static List<LaunchRequest> runs(LoopHarness h, String subnet, String type) {
    return h.runRequests().stream()
        .filter(r -> r.subnetId().equals(subnet) && r.instanceType().equals(type))
        .toList();
  }

  @Test
  void thePreferredTypeOutInOneZoneFallsBackInThatSubnetAndStaysBalanced() {
    LoopHarness h = fleet(6, "t3.micro", "t3.small");
    h.fake.setOfferingShortage("t3.micro", "us-east-1a", ICE);

    h.runUntilStable(40, STEP);

    assertConverged(h, 6);
    assertThat(typesBySubnet(h))
        .isEqualTo(
            Map.of(
                "subnet-a", Map.of("t3.small", 2L),
                "subnet-b", Map.of("t3.micro", 2L),
                "subnet-c", Map.of("t3.micro", 2L)));
    // one refused call, then the next type in the same subnet: 2 RunInstances for the fallback
    assertThat(runs(h, "subnet-a", "t3.micro")).hasSize(1);
    assertThat(runs(h, "subnet-a", "t3.small")).hasSize(1);
    assertThat(h.status().getUnavailableOfferings())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.instanceType()).isEqualTo("t3.micro");
              assertThat(o.zone()).isEqualTo("us-east-1a");
              assertThat(o.capacityType()).isEqualTo("on-demand");
              assertThat(o.reason()).isEqualTo(ICE);
              assertThat(o.until()).isNotNull();
            });
    assertThat(h.status().getInstances())
        .filteredOn(i -> i.subnetId().equals("subnet-a"))
        .extracting(InstanceStatus::instanceType)
        .containsOnly("t3.small");
    assertThat(h.registry.find("serverfleet.launch.fallbacks").tag("reason", ICE).counter())
        .isNotNull()
        .satisfies(c -> assertThat(c.count()).isEqualTo(1.0));
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.type()).isEqualTo("Warning");
              assertThat(e.reason()).isEqualTo("LaunchFallback");
              assertThat(e.message())
                  .contains("t3.micro (on-demand) in us-east-1a", ICE, "uses t3.small");
            });
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void withinTheTtlNoCallIsWastedAndAfterItThePreferredTypeIsUsedAgain() {
    LoopHarness h = fleet(3, "t3.micro", "t3.small");
    h.fake.setOfferingShortage("t3.micro", "us-east-1a", ICE);
    h.runUntilStable(40, STEP);
    h.fake.setOfferingShortage("t3.micro", "us-east-1a", null); // capacity is back, unseen

    h.scale(6);
    h.runUntilStable(40, STEP);
    assertThat(runs(h, "subnet-a", "t3.micro")).as("still avoided within the TTL").hasSize(1);
    assertThat(typesBySubnet(h).get("subnet-a")).isEqualTo(Map.of("t3.small", 2L));

    h.clock.advance(UnavailableOfferings.DEFAULT_TTL);
    h.runUntilStable(40, STEP);
    assertThat(h.status().getUnavailableOfferings()).as("expired, gone from status").isNull();
    h.scale(9);
    h.runUntilStable(40, STEP);

    assertConverged(h, 9);
    assertThat(runs(h, "subnet-a", "t3.micro")).hasSize(2);
    assertThat(typesBySubnet(h).get("subnet-a")).isEqualTo(Map.of("t3.small", 2L, "t3.micro", 1L));
  }

  @Test
  void aTypeTheZoneDoesNotOfferIsLearnedOnceAndNeverLaunchedThere() {
    LoopHarness h = fleet(6, "t3.micro", "t3.small");
    h.fake.setNotOffered("t3.micro", "us-east-1a");

    h.runUntilStable(40, STEP);
    h.scale(9);
    h.runUntilStable(40, STEP);

    assertConverged(h, 9);
    assertThat(runs(h, "subnet-a", "t3.micro")).isEmpty();
    assertThat(typesBySubnet(h).get("subnet-a")).isEqualTo(Map.of("t3.small", 3L));
    assertThat(h.fake.calls(FakeEc2.DESCRIBE_OFFERINGS)).isEqualTo(1);
    assertThat(h.fake.calls(FakeEc2.DESCRIBE_SUBNETS)).isEqualTo(1);
    assertThat(h.status().getUnavailableOfferings())
        .containsExactly(
            new UnavailableOffering(
                "t3.micro", "us-east-1a", "on-demand", OfferingStatus.NOT_OFFERED, null));
  }

  @Test
  void unsupportedAtLaunchIsLearnedAsAnUnavailableOffering() {
    // DescribeInstanceTypeOfferings said offered (or could not be asked); RunInstances says not
    LoopHarness h = fleet(3, "t3.micro", "t3.small");
    h.fake.setOfferingShortage("t3.micro", "us-east-1b", "Unsupported");

    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(typesBySubnet(h).get("subnet-b")).isEqualTo(Map.of("t3.small", 1L));
    assertThat(runs(h, "subnet-b", "t3.micro")).hasSize(1);
    assertThat(h.status().getUnavailableOfferings())
        .extracting(UnavailableOffering::reason)
        .containsExactly("Unsupported");
    assertThat(h.counter("serverfleet.launch.fallbacks")).isEqualTo(1.0);
  }

  @Test
  void everyTypeOutInAZoneSendsLaunchesToTheOtherSubnetsAsBefore() {
    LoopHarness h = fleet(6, "t3.micro", "t3.small");
    h.fake.setOfferingShortage("t3.micro", "us-east-1a", ICE);
    h.fake.setOfferingShortage("t3.small", "us-east-1a", ICE);

    h.runUntilStable(60, STEP);

    assertConverged(h, 6);
    assertThat(h.liveInstances()).extracting(Instance::subnetId).doesNotContain("subnet-a");
    assertThat(runs(h, "subnet-a", "t3.micro")).hasSize(1);
    assertThat(runs(h, "subnet-a", "t3.small")).hasSize(1);
    assertThat(h.status().getUnavailableOfferings()).hasSize(2);
    assertThat(h.events)
        .anySatisfy(
            e -> assertThat(e.message()).contains("no listed type is available in us-east-1a"));
  }

  @Test
  void withoutZonesAShortageAvoidsTheSubnetAsBefore() {
    LoopHarness h = fleet(3, "t3.micro", "t3.small");
    h.fake.injectNext(
        FakeEc2.DESCRIBE_SUBNETS,
        dev.serverfleet.operator.cloud.ErrorClassifier.fromCode(
            FakeEc2.DESCRIBE_SUBNETS, "UnauthorizedOperation", "not allowed", 403));
    h.fake.setOfferingShortage("t3.micro", "us-east-1a", ICE);

    h.step();

    assertThat(h.runRequests()).extracting(LaunchRequest::instanceType).containsOnly("t3.micro");
    assertThat(h.status().getUnavailableOfferings()).isNull();
    assertThat(h.counter("serverfleet.launch.fallbacks")).isZero();
  }
}
