package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Offering;
import java.util.List;
import java.util.Optional;

/**
 * Fallback on-demand instances replaced by spot once spot is available again, launch first: like a
 * rollout of one instance at a time within maxSurge. A steady fleet (nothing launching or
 * terminating, no open intent, replicas instances of the current revision) with fallback on-demand
 * instances launches one spot instance in a subnet that has spot again, preferring the subnet of
 * the newest fallback instance; the scale-in the planner then decides is turned onto a fallback
 * on-demand instance, and waits while the spot instance it would give up is not yet ready.
 */
final class SpotReturn {
  private SpotReturn() {}

  static Plan apply(PlanInput in, Plan plan, CapacityMix mix, List<Instance> staying) {
    if (!mix.spotFallbackToOnDemand() || !plan.terminations().isEmpty()) {
      return plan;
    }
    List<Instance> fallback = mix.fallbackOnDemand(staying);
    if (fallback.isEmpty()) {
      return plan;
    }
    boolean steady =
        plan.launches().isEmpty()
            && plan.intents().isEmpty()
            && staying.size() == in.replicas()
            && in.instances().stream().filter(i -> !i.state().isGone()).count() == in.replicas()
            && in.policy().bounds().maxSurge() > 0;
    if (!steady || in.instanceTypes() == null) {
      return plan;
    }
    InstanceTypeChoice spot = in.instanceTypes().forMarket(Offering.SPOT);
    Optional<String> subnet =
        fallback.stream()
            .map(Instance::subnetId)
            .filter(s -> in.subnetIds().contains(s) && spot.available(s).isPresent())
            .findFirst()
            .or(
                () ->
                    in.subnetIds().stream().filter(s -> spot.available(s).isPresent()).findFirst());
    if (subnet.isEmpty()) {
      return plan;
    }
    String token = FleetPlanner.token(in.fleetUid(), in.now(), 0) + "-spot";
    String type = spot.typeFor(subnet.get());
    Launch launch = new Launch(token, subnet.get(), 1, in.revision(), false, type, Offering.SPOT);
    Intent intent =
        new Intent(token, subnet.get(), 1, in.revision(), in.now(), type)
            .withCapacityType(Offering.SPOT);
    return new Plan(
        List.of(launch), List.of(), List.of(intent), plan.lookups(), plan.observed(), plan.notes());
  }
}
