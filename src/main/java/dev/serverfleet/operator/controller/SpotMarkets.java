package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.planning.CapacityMix;
import dev.serverfleet.operator.planning.FleetPlanner;
import dev.serverfleet.operator.planning.MarketPlanner;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.PlanInput;

/**
 * The planner's plan with each launch's market decided ({@link MarketPlanner}): the fleet's
 * on-demand/spot mix, spot falling back to on-demand where a zone has none, and back to spot when
 * it returns. A fallback is counted ({@code serverfleet_launch_fallbacks_total{reason=
 * "SpotFallbackToOnDemand"}}) and announced (a {@code SpotFallback} event).
 */
final class SpotMarkets {
  static final String REASON = "SpotFallbackToOnDemand";

  private SpotMarkets() {}

  static Plan plan(ServerFleet fleet, PlanInput input, FleetEvents events, FleetMetrics metrics) {
    CapacityMix mix = CapacityDefaults.capacityMix(fleet.getSpec().getTemplate());
    MarketPlanner.Result result = MarketPlanner.plan(input, FleetPlanner.plan(input), mix);
    for (MarketPlanner.Fallback f : result.fallbacks()) {
      metrics.fallback(fleet, REASON);
      events.warning(
          fleet,
          "SpotFallback",
          "No spot capacity for any listed instance type in "
              + f.subnetId()
              + ": launching "
              + f.count()
              + " on-demand instead (spotFallbackToOnDemand); they are replaced by spot once"
              + " spot is available again");
    }
    return result.plan();
  }
}
