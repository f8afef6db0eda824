package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.RolloutPlannerTest.old;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole rollouts through checkpoints against the ideal cloud: the new revision never has more
 * instances than the checkpoint it is on allows, the rollout holds at each checkpoint for its bake
 * time, and it ends with every instance replaced. Every plan is also checked against the rollout's
 * bounds (surge, unavailability) by {@link RolloutSim#checkBounds}.
 */
class CheckpointRolloutTest {
  private static final Duration BAKE = RolloutSim.STEP.multipliedBy(3);

  @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2}")
  @CsvSource({
    "10, 25%, 0",
    "10, 1, 0",
    "10, 0, 2",
    "10, 3, 3",
    "4, 1, 0",
    "20, 25%, 25%",
    "3, 1, 1"
  })
  void holdsAtEachCheckpointAndCompletes(int replicas, String surge, String unavailable) {
    List<Instance> initial = new ArrayList<>();
    for (int n = 0; n < replicas; n++) {
      initial.add(old("o-" + n, 100 + n));
    }
    Object s = surge.endsWith("%") ? surge : Integer.valueOf(surge);
    Object u = unavailable.endsWith("%") ? unavailable : Integer.valueOf(unavailable);
    RolloutSim sim =
        new RolloutSim(replicas)
            .add(initial.toArray(Instance[]::new))
            .bounds(s, u)
            .checkpoints(new CheckpointGate.Spec(List.of(10, 50), Optional.of(BAKE)));
    List<Integer> heldAt = new ArrayList<>();
    sim.then(
        x -> {
          CheckpointGate.Decision gate = x.gate();
          long fresh = x.live().stream().filter(x::isCurrent).count();
          int allowed = Math.min(gate.cap(), replicas);
          assertThat(fresh)
              .as("new-revision instances within the checkpoint's cap %d", allowed)
              .isLessThanOrEqualTo(allowed);
          gate.hold().ifPresent(h -> heldAt.add(h.percentage()));
        });

    sim.run(200);

    assertThat(sim.live()).hasSize(replicas).allMatch(sim::isCurrent);
    List<Integer> expected = new ArrayList<>();
    for (int p : List.of(10, 50)) {
      if (CheckpointGate.instancesFor(p, replicas) < replicas) {
        expected.add(p);
      }
    }
    assertThat(heldAt.stream().distinct().toList())
        .as("checkpoints held, in order")
        .isEqualTo(expected);
    for (int p : expected) {
      assertThat(heldAt.stream().filter(h -> h == p).count())
          .as("passes held at %d%%: the bake time is %s, a step %s", p, BAKE, RolloutSim.STEP)
          .isGreaterThanOrEqualTo(3);
    }
  }
}
