package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Any mix, any sequence of scale-ups, scale-ins (victims oldest first, reordered by {@link
 * CapacityMix#scaleInOrder}) and surge rollouts (launch up to maxSurge, then retire as many old
 * instances, the markets of the launches decided by the new revision's instances alone): after each
 * step the fleet holds exactly the mix's on-demand count, and during a rollout never fewer
 * instances than replicas.
 */
class CapacityMixPropertiesTest {

  @Property(tries = 500)
  void theMixHoldsThroughScalingAndRollouts(
      @ForAll @IntRange(min = 0, max = 5) int base,
      @ForAll @IntRange(min = 0, max = 100) int percent,
      @ForAll @IntRange(min = 1, max = 4) int maxSurge,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = -1, max = 25) Integer> steps) {
    CapacityMix mix = new CapacityMix(base, percent, false);
    Fleet fleet = new Fleet(mix);
    for (int step : steps) {
      if (step < 0) {
        fleet.rollout(maxSurge);
      } else {
        fleet.scaleTo(step);
      }
      long onDemand = fleet.instances.stream().filter(i -> !i.spot()).count();
      assertThat(onDemand)
          .as(
              "after %s with base %d, %d%%",
              step < 0 ? "rollout" : "scale to " + step, base, percent)
          .isEqualTo(mix.onDemand(fleet.instances.size()));
    }
  }

  /** A fleet the way the planner drives one, with the mix deciding markets and victims. */
  private static final class Fleet {
    final CapacityMix mix;
    final List<Instance> instances = new ArrayList<>();
    int generation;
    int serial;

    Fleet(CapacityMix mix) {
      this.mix = mix;
    }

    void scaleTo(int replicas) {
      if (replicas > instances.size()) {
        launch(replicas, replicas - instances.size(), instances);
      } else {
        List<Instance> oldestFirst =
            instances.stream().sorted(Comparator.comparing(Instance::launchTime)).toList();
        List<Instance> victims = mix.scaleInOrder(instances, oldestFirst);
        instances.removeAll(victims.subList(0, instances.size() - replicas));
      }
    }

    void rollout(int maxSurge) {
      int replicas = instances.size();
      generation++;
      List<Instance> old = new ArrayList<>(instances);
      while (!old.isEmpty()) {
        int surge = Math.min(maxSurge, old.size());
        List<Instance> staying = new ArrayList<>(instances);
        staying.removeAll(old);
        launch(replicas, surge, staying);
        List<Instance> victims = mix.scaleInOrder(instances, old).subList(0, surge);
        instances.removeAll(victims);
        old.removeAll(victims);
        assertThat(instances).hasSizeGreaterThanOrEqualTo(replicas);
      }
    }

    /** Launches {@code count}, their markets decided by the instances that stay. */
    private void launch(int replicas, int count, List<Instance> staying) {
      int od = (int) staying.stream().filter(i -> !i.spot()).count();
      int sp = staying.size() - od;
      for (boolean spot : mix.nextLaunches(replicas, od, sp, count)) {
        serial++;
        instances.add(
            running("i-" + generation + "-" + serial, "subnet-a", T0.plusSeconds(serial))
                .withSpot(spot));
      }
    }
  }
}
