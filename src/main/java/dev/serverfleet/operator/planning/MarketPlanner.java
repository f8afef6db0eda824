package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Offering;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The market of each launch of a fleet that uses spot ({@link CapacityMix}), decided on the
 * planner's plan:
 *
 * <ul>
 *   <li>each new launch is split into its on-demand and spot parts as the mix asks, counting the
 *       instances and launches of the current revision that stay;
 *   <li>a spot part whose subnet has no spot offering available (every listed type marked
 *       unavailable there) goes on-demand when the fleet says {@code spotFallbackToOnDemand}: a
 *       <em>fallback</em> launch;
 *   <li>when a steady fleet has fallback on-demand instances (on-demand beyond the mix's share) and
 *       spot is available again in some subnet, one spot instance is launched above replicas
 *       (within maxSurge), and the scale-in that follows gives up a fallback on-demand instance,
 *       never the new spot one, and only once that one is available: launch first, never below
 *       available.
 * </ul>
 *
 * Pure: retries keep their intent's market; a fleet that uses no spot gets the plan unchanged.
 */
public final class MarketPlanner {
  private MarketPlanner() {}

  /** Instances this plan launches on-demand in a subnet for want of spot there. */
  public record Fallback(String subnetId, int count) {}

  /**
   * @param fallbacks the launches this plan turned on-demand for want of spot
   */
  public record Result(Plan plan, List<Fallback> fallbacks) {}

  public static Result plan(PlanInput in, Plan plan, CapacityMix mix) {
    if (!mix.usesSpot()) {
      return new Result(plan, List.of());
    }
    List<Instance> staying = staying(in, plan);
    int od = (int) staying.stream().filter(i -> !i.spot()).count();
    int sp = staying.size() - od;
    Set<String> newTokens = new HashSet<>();
    plan.newLaunches().forEach(l -> newTokens.add(l.token()));
    for (Intent i : plan.intents()) {
      if (!newTokens.contains(i.token()) && in.revision().equals(i.revision())) {
        int unseen = i.unseen(Intent.seenByToken(in.instances()));
        if (Offering.ON_DEMAND.equals(i.capacityType())) {
          od += unseen;
        } else {
          sp += unseen; // null: recorded before markets, in a spot fleet: spot
        }
      }
    }
    List<Launch> launches = new ArrayList<>();
    List<Fallback> fallbacks = new ArrayList<>();
    Map<String, List<Launch>> byToken = new HashMap<>();
    List<Launch> fresh = plan.newLaunches();
    int total = fresh.stream().mapToInt(Launch::count).sum();
    int[] spotBy = dealt(mix.nextLaunches(in.replicas(), od, sp, total), fresh);
    for (Launch l : plan.launches()) {
      if (l.retry()) {
        launches.add(l);
      }
    }
    for (int k = 0; k < fresh.size(); k++) {
      Launch l = fresh.get(k);
      List<Launch> parts = split(in, l, l.count() - spotBy[k], spotBy[k], mix, fallbacks);
      launches.addAll(parts);
      byToken.put(l.token(), parts);
    }
    Plan split = withLaunches(plan, launches, byToken);
    Plan turned = ScaleInMarkets.turn(in, split, mix);
    return new Result(SpotReturn.apply(in, turned, mix, staying), fallbacks);
  }

  /**
   * The spot count of each launch when the markets are dealt round-robin over the launches (one
   * subnet each), so every subnet gets its share of each market rather than the first subnets all
   * the on-demand instances: zone balance and the mix then survive a scale-in together.
   */
  static int[] dealt(List<Boolean> markets, List<Launch> launches) {
    int[] spot = new int[launches.size()];
    int[] left = launches.stream().mapToInt(Launch::count).toArray();
    int next = 0;
    while (next < markets.size()) {
      for (int k = 0; k < left.length && next < markets.size(); k++) {
        if (left[k] > 0) {
          left[k]--;
          spot[k] += markets.get(next++) ? 1 : 0;
        }
      }
    }
    return spot;
  }

  /** The current revision's live instances that this plan does not terminate. */
  static List<Instance> staying(PlanInput in, Plan plan) {
    Set<String> leaving = new HashSet<>();
    plan.terminations().forEach(t -> leaving.add(t.instanceId()));
    return in.instances().stream()
        .filter(i -> !i.state().isGone() && !leaving.contains(i.id()))
        .filter(
            i -> in.revision().equals(i.tag(dev.serverfleet.operator.fleet.OwnershipTags.REVISION)))
        .toList();
  }

  private static List<Launch> split(
      PlanInput in, Launch l, int onDemand, int spot, CapacityMix mix, List<Fallback> fallbacks) {
    InstanceTypeChoice types = in.instanceTypes();
    boolean noSpotHere =
        types != null && types.forMarket(Offering.SPOT).available(l.subnetId()).isEmpty();
    int fallback = spot > 0 && noSpotHere && mix.spotFallbackToOnDemand() ? spot : 0;
    if (fallback > 0) {
      fallbacks.add(new Fallback(l.subnetId(), fallback));
    }
    List<Launch> parts = new ArrayList<>();
    if (onDemand + fallback > 0) {
      String type =
          types == null
              ? l.instanceType()
              : types.forMarket(Offering.ON_DEMAND).typeFor(l.subnetId());
      parts.add(part(l, parts, onDemand + fallback, type, Offering.ON_DEMAND));
    }
    if (spot - fallback > 0) {
      parts.add(part(l, parts, spot - fallback, l.instanceType(), Offering.SPOT));
    }
    return parts;
  }

  /** The first part keeps the planner's token; a second one gets it with a suffix. */
  private static Launch part(Launch l, List<Launch> before, int count, String type, String market) {
    String token = before.isEmpty() ? l.token() : l.token() + "-" + (before.size() + 1);
    return new Launch(token, l.subnetId(), count, l.revision(), false, type, market);
  }

  /** The plan with the new launches split, and their intents alike. */
  static Plan withLaunches(Plan plan, List<Launch> launches, Map<String, List<Launch>> byToken) {
    List<Intent> intents = new ArrayList<>();
    for (Intent i : plan.intents()) {
      List<Launch> parts = byToken.get(i.token());
      if (parts == null) {
        intents.add(i);
        continue;
      }
      for (Launch p : parts) {
        intents.add(
            new Intent(
                    p.token(),
                    p.subnetId(),
                    p.count(),
                    p.revision(),
                    i.createdAt(),
                    p.instanceType())
                .withCapacityType(p.capacityType()));
      }
    }
    return new Plan(
        launches, plan.terminations(), intents, plan.lookups(), plan.observed(), plan.notes());
  }
}
