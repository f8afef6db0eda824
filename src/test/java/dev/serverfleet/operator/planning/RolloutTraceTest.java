package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.protect;
import static dev.serverfleet.operator.planning.PlanFixtures.revision;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static dev.serverfleet.operator.planning.RolloutPlannerTest.NEW_REV;
import static dev.serverfleet.operator.planning.RolloutPlannerTest.cur;
import static dev.serverfleet.operator.planning.RolloutPlannerTest.old;
import static dev.serverfleet.operator.planning.RolloutPlannerTest.oldFour;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole rollouts, plan after plan, against {@link RolloutSim}'s ideal cloud: every plan checked
 * against the rollout's bounds, the trace of launches and terminations compared line by line.
 */
class RolloutTraceTest {
  @ParameterizedTest(name = "{0}")
  @MethodSource("rollouts")
  void rollsOut(RolloutSim sim, List<String> trace) {
    assertThat(sim.run(60)).containsExactlyElementsOf(trace);
  }

  static Stream<Arguments> rollouts() {
    return Stream.of(
        run(
            "surge 1/unavailable 0: 4 old → 4 new, launch, wait while pending, terminate",
            new RolloutSim(4).add(oldFour()).bounds(1, 0),
            "launch a",
            "wait",
            "rollout o-4",
            "launch a",
            "wait",
            "rollout o-3",
            "launch a",
            "wait",
            "rollout o-2",
            "launch a",
            "wait",
            "rollout o-1"),
        run(
            "surge 0/unavailable 1: 4 old → 4 new, terminate, launch, wait",
            new RolloutSim(4).add(oldFour()).bounds(0, 1),
            "rollout o-4",
            "launch a",
            "wait",
            "rollout o-3",
            "launch a",
            "wait",
            "rollout o-2",
            "launch a",
            "wait",
            "rollout o-1",
            "launch a",
            "wait"),
        run(
            "50%/50% of 4 = 2/2",
            new RolloutSim(4).add(oldFour()).bounds("50%", "50%"),
            "launch a×2, rollout o-4, rollout o-3",
            "launch a×2",
            "rollout o-2, rollout o-1"),
        run(
            "25%/25% of 5 = 2/1",
            new RolloutSim(5).add(oldFour()).add(old("o-5", 5)).bounds("25%", "25%"),
            "launch a×2, rollout o-5",
            "launch a",
            "rollout o-4, rollout o-3",
            "launch a×2, rollout o-2",
            "wait",
            "rollout o-1"),
        run(
            "defaults (25%/0) of 4 = 1/0",
            new RolloutSim(4).add(oldFour()).bounds(null, null),
            "launch a",
            "wait",
            "rollout o-4",
            "launch a",
            "wait",
            "rollout o-3",
            "launch a",
            "wait",
            "rollout o-2",
            "launch a",
            "wait",
            "rollout o-1"),
        run(
            "surge 0 across three subnets: each replacement fills the hole its victim left",
            new RolloutSim(3, "subnet-a", "subnet-b", "subnet-c")
                .add(
                    old("o-a", 30),
                    revision(running("o-b", "subnet-b", minutesAgo(20)), OLD_REV),
                    revision(running("o-c", "subnet-c", minutesAgo(10)), OLD_REV))
                .bounds(0, 1),
            "rollout o-c",
            "launch c",
            "wait",
            "rollout o-b",
            "launch b",
            "wait",
            "rollout o-a",
            "launch a",
            "wait"),
        run(
            "restart: a new revision for the same settings rolls every instance",
            new RolloutSim(2).add(cur("i-1", 20), cur("i-2", 10)).revision(NEW_REV).bounds(1, 0),
            "launch a",
            "wait",
            "rollout i-2",
            "launch a",
            "wait",
            "rollout i-1"),
        run(
            "Recreate: all old go first, then all new are launched",
            new RolloutSim(3)
                .add(old("o-1", 30), old("o-2", 20), old("o-3", 10))
                .policy(policy().recreate()),
            "rollout o-3, rollout o-2, rollout o-1",
            "launch a×3",
            "wait"),
        run(
            "minReadySeconds 60 with 30 s steps: each new instance waits two more steps",
            new RolloutSim(2)
                .add(old("o-1", 20), old("o-2", 10))
                .bounds(1, 0)
                .policy(policy().minReady(Duration.ofSeconds(60))),
            "launch a",
            "wait",
            "wait",
            "wait",
            "rollout o-2",
            "launch a",
            "wait",
            "wait",
            "wait",
            "rollout o-1"),
        run(
            "a protected old instance stays to the end and the rollout completes around it",
            new RolloutSim(3)
                .add(protect(old("o-1", 30)), old("o-2", 20), old("o-3", 10))
                .bounds(1, 0)
                .then(s -> assertThat(s.lastPlan().notes().protectedOutdated()).isEqualTo(1)),
            "launch a",
            "wait",
            "rollout o-3",
            "launch a",
            "wait",
            "rollout o-2"),
        run(
            "a subnet removed from spec: its instances rolled into the others, launch first",
            new RolloutSim(3, "subnet-a", "subnet-b")
                .add(
                    cur("i-1", 30),
                    running("x-1", "subnet-x", minutesAgo(20)),
                    running("x-2", "subnet-x", minutesAgo(10)))
                .bounds(1, 0),
            "launch b",
            "wait",
            "rollout x-2",
            "launch a",
            "wait",
            "rollout x-1"),
        run(
            "zone rebalance after a capacity shortage in subnet-c: launch first, then the crowded subnet",
            new RolloutSim(6, "subnet-a", "subnet-b", "subnet-c")
                .add(
                    cur("a-1", 60),
                    cur("a-2", 50),
                    cur("a-3", 40),
                    running("b-1", "subnet-b", minutesAgo(55)),
                    running("b-2", "subnet-b", minutesAgo(45)),
                    running("b-3", "subnet-b", minutesAgo(35)))
                .bounds(1, 0)
                .avoid("subnet-c")
                .avoidUntilStep(2),
            "wait",
            "wait",
            "launch c",
            "wait",
            "scale-in b-3",
            "launch c",
            "wait",
            "scale-in a-3"),
        run(
            "zone rebalance waits for minReady before it terminates",
            new RolloutSim(2, "subnet-a", "subnet-b")
                .add(cur("a-1", 60), cur("a-2", 50))
                .bounds(1, 0)
                .policy(policy().minReady(Duration.ofSeconds(30))),
            "launch b",
            "wait",
            "wait",
            "scale-in a-2"));
  }

  @Test
  void aScaleChangeMidRolloutNeverBreaksTheBounds() {
    // 4 → 8 while the first new instance is pending, then → 2 halfway, with percentages that
    // resolve differently at each size; RolloutSim checks surge and availability on every plan.
    RolloutSim sim =
        new RolloutSim(4, "subnet-a", "subnet-b")
            .add(oldFour())
            .bounds("25%", "25%")
            .scaleAt(1, 8)
            .scaleAt(6, 2);

    List<String> trace = sim.run(60);

    assertThat(trace)
        .containsExactly(
            "launch b, rollout o-4", // 4: surge 1, unavailable 1
            "launch a×3, launch b×3", // 8: surge 2, unavailable 2; 4 live + 6 = 10
            "wait",
            "rollout o-3, rollout o-2, rollout o-1", // 10 available, 6 needed
            "launch a",
            "wait",
            "scale-in n-8, scale-in n-5, scale-in n-2, scale-in n-6, scale-in n-3, scale-in n-7"); // 2: surge 1, 0
    assertThat(sim.live()).extracting(Instance::id).containsExactlyInAnyOrder("n-1", "n-4");
    assertThat(sim.live()).extracting(Instance::subnetId).doesNotHaveDuplicates();
    assertThat(sim.live()).allSatisfy(i -> assertThat(sim.isCurrent(i)).isTrue());
  }

  @Test
  void aSurgeRolloutAcrossSubnetsLaunchesOneInstancePerOldOneAndTerminatesNoNewOne() {
    RolloutSim sim =
        new RolloutSim(3, "subnet-a", "subnet-b", "subnet-c")
            .add(
                old("o-a", 30),
                revision(running("o-b", "subnet-b", minutesAgo(20)), OLD_REV),
                revision(running("o-c", "subnet-c", minutesAgo(10)), OLD_REV))
            .bounds(1, 0);

    List<String> trace = sim.run(60);

    assertThat(trace).filteredOn(line -> line.startsWith("launch")).hasSize(3);
    assertThat(trace).noneMatch(line -> line.contains("scale-in"));
    assertThat(sim.live())
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
  }

  @Test
  void scalingToZeroMidRolloutTerminatesEverythingAndLaunchesNothing() {
    RolloutSim sim = new RolloutSim(4).add(oldFour()).bounds(1, 0).scaleAt(2, 0);

    List<String> trace = sim.run(60);

    assertThat(trace)
        .containsExactly(
            "launch a",
            "wait",
            "rollout o-4, rollout o-3, rollout o-2, rollout o-1, " + "scale-in n-1");
    assertThat(sim.live()).isEmpty();
  }

  // ---- fixtures ----

  private static Arguments run(String name, RolloutSim sim, String... trace) {
    return Arguments.of(Named.of(name, sim), List.of(trace));
  }
}
