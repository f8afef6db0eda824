package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.Capacity;
import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spot with on-demand fallback on the real stack: the real API server, the operator in process
 * (zones learned through DescribeSubnets), moto behind the fault proxy refusing spot RunInstances
 * (InstanceMarketOptions.MarketType=spot) with EC2's InsufficientInstanceCapacity in every zone
 * while on-demand ones go through; moto reports each instance's market (InstanceLifecycle spot for
 * spot RunInstances), which is what the assertions read back.
 */
class SpotFallbackIT extends ProxiedOperatorTestBed {
  private static final Duration TTL = Duration.ofSeconds(15);

  @BeforeAll
  static void shortTtl() {
    stopOperator();
    startOperator(Duration.ofSeconds(1), false, true, c -> c.withUnavailableOfferingTtl(TTL));
  }

  @AfterEach
  void clearFaults() {
    proxy.clearFaults();
  }

  private static double fallbacks(ServerFleet fleet) {
    Counter c =
        registry
            .find("serverfleet.launch.fallbacks")
            .tag("name", fleet.getMetadata().getName())
            .tag("reason", "SpotFallbackToOnDemand")
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aSpotFleetWithSpotGoneFallsBackToOnDemandAndReturnsToSpotWhenItComesBack() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "web", 0, network);
    Capacity capacity = new Capacity();
    capacity.setType(CapacityType.SPOT);
    capacity.setSpotFallbackToOnDemand(true);
    spec.getSpec().getTemplate().setCapacity(capacity);
    ServerFleet fleet = awaitReady(create(spec), 0);
    String uid = fleet.getMetadata().getUid();
    network.zones().forEach(z -> proxy.noSpotCapacity("t3.micro", z, true));

    kubectl.run("scale", "sf/web", "-n", ns, "--replicas=3");
    ServerFleet fell = awaitReady(fleet, 3);

    List<Instance> onDemand = liveInstances(uid);
    assertThat(onDemand).hasSize(3).noneMatch(Instance::spot);
    List<Ec2Call> runs = runsOf(uid);
    long refused = runs.stream().filter(c -> c.outcome() == Ec2Call.Outcome.NO_CAPACITY).count();
    assertThat(refused).as("one refused spot RunInstances per zone").isEqualTo(3);
    System.out.printf(
        "SpotFallbackIT: spot gone in 3 zones: %d RunInstances for 3 instances (%d refused spot,"
            + " %d on-demand that launched): %.1f calls per fallback instance%n",
        runs.size(), refused, runs.size() - refused, runs.size() / 3.0);
    assertThat(fell.getStatus().getInstances())
        .extracting(InstanceStatus::capacityType)
        .containsOnly("on-demand");
    assertThat(fell.getStatus().getUnavailableOfferings())
        .extracting(o -> o.capacityType())
        .containsOnly("spot");
    assertThat(fallbacks(fell)).isEqualTo(3.0);
    await()
        .atMost(30, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("SpotFallback");
                          assertThat(e.getMessage()).contains("on-demand instead");
                        }));

    // spot is back; once the unavailable offerings expire the fallback instances are replaced
    network.zones().forEach(z -> proxy.noSpotCapacity("t3.micro", z, false));
    Set<String> fallbackIds = Set.copyOf(onDemand.stream().map(Instance::id).toList());
    await()
        .atMost(180, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              List<Instance> live = liveInstances(uid);
              assertThat(live).hasSize(3).allMatch(Instance::spot);
              ServerFleet now = get(ns, "web");
              assertThat(now.getStatus().getReadyReplicas()).isEqualTo(3);
            });
    assertThat(liveInstances(uid)).noneMatch(i -> fallbackIds.contains(i.id()));
    List<Ec2Call> after = runsOf(uid).subList(runs.size(), runsOf(uid).size());
    assertThat(after).noneMatch(c -> c.outcome() == Ec2Call.Outcome.NO_CAPACITY);
    System.out.printf(
        "SpotFallbackIT: back to spot after the %ds TTL: %d more RunInstances, none refused%n",
        TTL.toSeconds(), after.size());
  }
}
