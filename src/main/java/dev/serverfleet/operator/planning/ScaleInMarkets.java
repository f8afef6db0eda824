package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Scale-in victims turned so the mix holds ({@link CapacityMix}): each victim the planner chose
 * whose market is not above its share of the fleet that remains is swapped for an instance of the
 * market that is, in the same subnet (zone balance comes first, as Auto Scaling groups pick the
 * zone before the market within it; with no such instance there, the victim stays); an unavailable
 * spot victim that would be swapped for an available fallback on-demand instance is kept instead
 * for now (launch first, never below available: the spot instance that replaces it must be
 * available before the on-demand one goes).
 */
final class ScaleInMarkets {
  private ScaleInMarkets() {}

  static Plan turn(PlanInput in, Plan plan, CapacityMix mix) {
    if (plan.terminations().stream().noneMatch(t -> t.reason() == Termination.Reason.SCALE_IN)) {
      return plan;
    }
    InstanceChecks view = new InstanceChecks(in);
    Map<String, Instance> byId =
        in.instances().stream().collect(Collectors.toMap(Instance::id, Function.identity()));
    Set<String> going = new HashSet<>();
    plan.terminations().forEach(t -> going.add(t.instanceId()));
    List<Instance> fleet = in.instances().stream().filter(i -> !i.state().isGone()).toList();
    int od = (int) fleet.stream().filter(i -> !i.spot()).count();
    int sp = fleet.size() - od;
    List<Termination> out = new ArrayList<>();
    for (Termination t : plan.terminations()) {
      Instance victim = byId.get(t.instanceId());
      if (t.reason() != Termination.Reason.SCALE_IN || victim == null) {
        out.add(t);
        continue;
      }
      int remaining = od + sp - 1;
      boolean spotInExcess = sp > mix.spot(remaining);
      boolean onDemandInExcess = od > mix.onDemand(remaining);
      boolean wrongMarket =
          victim.spot() ? !spotInExcess && onDemandInExcess : !onDemandInExcess && spotInExcess;
      Instance chosen = victim;
      if (wrongMarket) {
        Instance swap = swapFor(in, victim, fleet, going);
        if (swap != null && victim.spot() && !view.available(victim) && view.available(swap)) {
          continue; // the spot instance first becomes available, then the on-demand one goes
        }
        if (swap != null) {
          going.remove(victim.id());
          going.add(swap.id());
          chosen = swap;
          t = new Termination(swap.id(), swap.subnetId(), Termination.Reason.SCALE_IN);
        }
      }
      out.add(t);
      if (chosen.spot()) {
        sp--;
      } else {
        od--;
      }
    }
    return new Plan(
        plan.launches(), out, plan.intents(), plan.lookups(), plan.observed(), plan.notes());
  }

  /** An instance of the other market in the victim's subnet, not going yet: newest first. */
  private static Instance swapFor(
      PlanInput in, Instance victim, List<Instance> fleet, Set<String> going) {
    return fleet.stream()
        .filter(i -> i.spot() != victim.spot() && !going.contains(i.id()) && !i.isProtected())
        .filter(i -> String.valueOf(victim.subnetId()).equals(i.subnetId()))
        .min(
            Comparator.comparing(
                    Instance::launchTime,
                    Comparator.nullsFirst(Comparator.<java.time.Instant>naturalOrder()).reversed())
                .thenComparing(Instance::id))
        .orElse(null);
  }
}
