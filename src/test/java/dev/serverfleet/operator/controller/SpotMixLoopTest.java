package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static dev.serverfleet.operator.controller.LoopScenarios.assertConverged;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.Capacity;
import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Spot with on-demand fallback against the in-memory EC2 (FakeEc2 models spot shortages per type
 * and zone; moto has none): the mix holds through scaling, a zone out of spot launches on-demand
 * with spotFallbackToOnDemand, and once the unavailable offering expires the fallback on-demand
 * instances are replaced by spot, launch first.
 */
class SpotMixLoopTest {
  private static final String ICE = "InsufficientInstanceCapacity";
  private static final List<String> ZONES = List.of("us-east-1a", "us-east-1b", "us-east-1c");

  private static LoopHarness fleet(int replicas, Integer base, Integer percent, Boolean fallback) {
    LoopHarness h = new LoopHarness(replicas);
    h.editSpec(
        s -> {
          Capacity c = new Capacity();
          c.setType(CapacityType.SPOT);
          c.setOnDemandBase(base);
          c.setOnDemandPercentageAboveBase(percent);
          c.setSpotFallbackToOnDemand(fallback);
          s.getTemplate().setCapacityType(null);
          s.getTemplate().setCapacity(c);
        });
    return h;
  }

  private static long spot(LoopHarness h) {
    return h.liveInstances().stream().filter(Instance::spot).count();
  }

  @Test
  void theMixHoldsThroughScaleUpAndDown() {
    LoopHarness h = fleet(6, 2, 50, null);
    h.runUntilStable(40, STEP);
    assertConverged(h, 6);
    // 2 + ceil(4 * 50%) = 4 on-demand, 2 spot
    assertThat(spot(h)).isEqualTo(2);
    assertThat(h.runRequests()).extracting(LaunchRequest::spot).contains(true, false);
    assertThat(h.status().getInstances())
        .extracting(InstanceStatus::capacityType)
        .containsOnly("spot", "on-demand");

    h.scale(11);
    h.runUntilStable(40, STEP);
    assertConverged(h, 11);
    assertThat(spot(h)).as("2 + ceil(9 * 50%%) = 7 on-demand").isEqualTo(4);

    h.scale(8);
    h.runUntilStable(40, STEP);
    assertConverged(h, 8);
    assertThat(spot(h)).as("2 + ceil(6 * 50%%) = 5 on-demand").isEqualTo(3);

    // zone balance first: one instance per subnet, the market chosen within each subnet
    h.scale(3);
    h.runUntilStable(40, STEP);
    assertConverged(h, 3);
    assertThat(h.liveInstances()).extracting(Instance::subnetId).doesNotHaveDuplicates();
    assertThat(spot(h))
        .as("the mix wants 3 on-demand; a subnet with only spot keeps one")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void withoutSpotAnywhereTheFleetFallsBackToOnDemandAndReturnsToSpotAfterTheTtl() {
    LoopHarness h = fleet(3, null, null, true);
    ZONES.forEach(z -> h.fake.setSpotShortage("t3.micro", z, ICE));

    h.runUntilStable(60, STEP);

    assertConverged(h, 3);
    assertThat(spot(h)).isZero();
    List<LaunchRequest> spotCalls = h.runRequests().stream().filter(LaunchRequest::spot).toList();
    List<LaunchRequest> onDemandCalls = h.runRequests().stream().filter(r -> !r.spot()).toList();
    System.out.printf(
        "spot fallback (FakeEc2): %d refused spot RunInstances, %d on-demand RunInstances for 3"
            + " instances%n",
        spotCalls.size(), onDemandCalls.size());
    assertThat(spotCalls).as("one refused spot call per zone, then no more").hasSize(3);
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("SpotFallback");
              assertThat(e.message()).contains("on-demand instead");
            });
    assertThat(
            h.registry
                .find("serverfleet.launch.fallbacks")
                .tag("reason", SpotMarkets.REASON)
                .counter())
        .isNotNull()
        .satisfies(c -> assertThat(c.count()).isEqualTo(3.0));
    assertThat(h.status().getInstances())
        .extracting(InstanceStatus::capacityType)
        .containsOnly("on-demand");
    assertThat(h.condition(Conditions.READY).getMessage())
        .contains("3 fallback on-demand (no spot capacity)");
    assertThat(h.condition(Conditions.PROGRESSING).getMessage()).contains("3 fallback on-demand");

    // spot is back, and the operator sees it once the unavailable offerings expire
    ZONES.forEach(z -> h.fake.setSpotShortage("t3.micro", z, null));
    Set<String> fallbackIds = Set.copyOf(h.liveInstances().stream().map(Instance::id).toList());
    h.clock.advance(UnavailableOfferings.DEFAULT_TTL);
    for (int i = 0; i < 200 && spot(h) < 3; i++) {
      h.poll();
      h.step();
      h.clock.advance(STEP);
      assertThat(h.liveInstances().stream().filter(x -> x.state().isLive()).count())
          .as("never below replicas while returning to spot")
          .isGreaterThanOrEqualTo(3);
    }
    h.runUntilStable(60, STEP);

    assertConverged(h, 3);
    assertThat(spot(h)).isEqualTo(3);
    assertThat(h.condition(Conditions.READY).getMessage()).doesNotContain("fallback");
    assertThat(h.liveInstances()).noneMatch(i -> fallbackIds.contains(i.id()));
  }

  @Test
  void aRolloutKeepsTheMixAndTheZoneBalance() {
    LoopHarness h = fleet(9, 1, 30, null);
    h.runUntilStable(40, STEP);
    assertConverged(h, 9);
    // 1 + ceil(8 * 30%) = 4 on-demand
    assertThat(spot(h)).isEqualTo(5);

    h.editSpec(s -> s.getTemplate().setAmiId(LoopScenarios.NEW_AMI));
    h.runUntilStable(120, STEP);

    assertConverged(h, 9);
    assertThat(h.liveInstances()).allMatch(i -> i.imageId().equals(LoopScenarios.NEW_AMI));
    assertThat(spot(h)).isEqualTo(5);
    assertThat(
            h.liveInstances().stream()
                .collect(
                    java.util.stream.Collectors.groupingBy(
                        Instance::subnetId, java.util.stream.Collectors.counting()))
                .values())
        .containsOnly(3L);
  }

  @Test
  void withoutFallbackASpotFleetDoesNotBuyOnDemand() {
    LoopHarness h = fleet(3, null, null, null);
    ZONES.forEach(z -> h.fake.setSpotShortage("t3.micro", z, ICE));
    for (int i = 0; i < 30; i++) {
      h.poll();
      h.step();
      h.clock.advance(STEP);
    }
    assertThat(h.runRequests()).isNotEmpty().allMatch(LaunchRequest::spot);
    assertThat(h.liveInstances()).isEmpty();
  }
}
