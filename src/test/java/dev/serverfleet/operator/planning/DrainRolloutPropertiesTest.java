package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Rollouts and scale-ins where every termination first drains for several plans (a pre-termination
 * hook): a draining instance is unavailable and still running, so the rollout's bounds must hold
 * with it counted: available never below replicas − maxUnavailable, live (draining included) never
 * above replicas + maxSurge, and no instance chosen twice. {@link RolloutSim} checks each plan's
 * own bounds and that no draining instance is chosen again.
 */
class DrainRolloutPropertiesTest {
  private static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");

  @Property(tries = 300)
  void aRolloutWhoseDrainsTakeSeveralPassesStaysWithinItsBoundsAndConverges(
      @ForAll @IntRange(min = 1, max = 10) int replicas,
      @ForAll @IntRange(min = 1, max = 3) int subnets,
      @ForAll @IntRange(min = 0, max = 3) int maxSurge,
      @ForAll @IntRange(min = 0, max = 3) int maxUnavailable,
      @ForAll @IntRange(min = 1, max = 5) int drainSteps,
      @ForAll @IntRange(min = 0, max = 4) int scaleInBy) {
    Assume.that(maxSurge + maxUnavailable > 0);
    RolloutSim sim = convergedOnA(replicas, subnets).bounds(maxSurge, maxUnavailable);
    sim.drainSteps(drainSteps);
    int target = Math.max(0, replicas - scaleInBy);
    sim.scaleAt(1, target);
    int steps = 20 + (replicas + 2) * (drainSteps + 3) * 2;
    for (int step = 0; step < steps; step++) {
      int wanted = step >= 1 ? target : replicas;
      int floor = wanted - Math.min(maxUnavailable, wanted);
      int before = sim.available();
      assertThat(before)
          .as("available at step %d (draining: %s)", step, sim.draining())
          .isGreaterThanOrEqualTo(Math.min(floor, replicas));
      sim.step();
      assertThat(sim.live())
          .as("live, draining included, after the plan of step %d", step)
          .hasSizeLessThanOrEqualTo(Math.max(wanted, replicas) + maxSurge);
      if (sim.settled() && step >= 1) {
        assertThat(sim.draining()).isEmpty();
        assertThat(sim.live())
            .hasSize(target)
            .allSatisfy(
                i -> {
                  assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
                  assertThat(i.tag(OwnershipTags.REVISION)).isEqualTo(PlanFixtures.REV);
                });
        return;
      }
    }
    throw new AssertionError("no convergence in " + steps + " steps: " + sim.live());
  }

  /** {@code replicas} running instances of revision A, spread evenly, ready for an hour. */
  private static RolloutSim convergedOnA(int replicas, int subnets) {
    List<String> listed = SUBNETS.subList(0, subnets);
    RolloutSim sim = new RolloutSim(replicas, listed.toArray(String[]::new));
    for (int n = 0; n < replicas; n++) {
      Instance a =
          PlanFixtures.revision(
              PlanFixtures.running("a-" + n, listed.get(n % subnets), minutesAgo(60 + n)), OLD_REV);
      sim.add(a);
    }
    return sim;
  }
}
