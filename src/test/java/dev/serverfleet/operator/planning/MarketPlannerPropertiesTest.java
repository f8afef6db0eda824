package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The real planner with its markets decided ({@link MarketPlanner}) driving {@link IdealCloud} in
 * one subnet through any sequence of scale-ups and scale-ins: once each step settles, the fleet
 * holds exactly the mix's on-demand count. (With several subnets zone balance comes first, see
 * {@link ScaleInMarkets}.)
 */
class MarketPlannerPropertiesTest {

  @Property(tries = 300)
  void theMixHoldsAfterEverySettledScaleStep(
      @ForAll @IntRange(min = 0, max = 4) int base,
      @ForAll @IntRange(min = 0, max = 100) int percent,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 15) Integer> steps) {
    CapacityMix mix = new CapacityMix(base, percent, false);
    IdealCloud cloud = new IdealCloud(List.of(), i -> true);
    List<Intent> ledger = List.of();
    Instant now = T0;
    for (int replicas : steps) {
      for (int pass = 0; pass < 40; pass++) {
        PlanInput in =
            input()
                .replicas(replicas)
                .instances(cloud.instances().stream().filter(i -> !i.state().isGone()).toList())
                .intents(ledger)
                .now(now)
                .build();
        Plan plan = MarketPlanner.plan(in, FleetPlanner.plan(in), mix).plan();
        ledger = cloud.apply(plan, now);
        now = now.plusSeconds(10);
        if (plan.isEmpty() && ledger.isEmpty()) {
          break;
        }
      }
      List<Instance> live = cloud.instances().stream().filter(i -> !i.state().isGone()).toList();
      assertThat(live).as("settled at %d", replicas).hasSize(replicas);
      assertThat(live.stream().filter(i -> !i.spot()).count())
          .as("on-demand at %d with base %d, %d%%", replicas, base, percent)
          .isEqualTo(mix.onDemand(replicas));
    }
  }
}
