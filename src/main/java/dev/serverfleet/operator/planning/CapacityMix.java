package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * How many of a fleet's instances are on-demand and how many spot, as an Auto Scaling group's mixed
 * instances policy distributes them: the first {@code onDemandBase} instances on-demand, then
 * {@code onDemandPercentageAboveBase} percent of the rest, the on-demand count rounded up (ASG: 3
 * above the base at 50% is 2 on-demand and 1 spot). Pure: the planner asks it which market each
 * launch uses and which instances to give up on scale-in so the mix holds.
 *
 * @param onDemandBase on-demand instances before any spot
 * @param onDemandPercentageAboveBase 0 to 100
 * @param spotFallbackToOnDemand whether a zone out of spot launches on-demand instead
 */
public record CapacityMix(
    int onDemandBase, int onDemandPercentageAboveBase, boolean spotFallbackToOnDemand) {

  /** capacity type on-demand: every instance on-demand. */
  public static final CapacityMix ON_DEMAND = new CapacityMix(Integer.MAX_VALUE, 100, false);

  /** capacity type spot with nothing else said: every instance spot, no fallback. */
  public static final CapacityMix SPOT = new CapacityMix(0, 0, false);

  public CapacityMix {
    if (onDemandBase < 0 || onDemandPercentageAboveBase < 0 || onDemandPercentageAboveBase > 100) {
      throw new IllegalArgumentException(
          "onDemandBase >= 0 and 0 <= onDemandPercentageAboveBase <= 100, got "
              + onDemandBase
              + ", "
              + onDemandPercentageAboveBase);
    }
  }

  /** Whether any instance of the fleet is meant to be spot. */
  public boolean usesSpot() {
    return onDemandBase != Integer.MAX_VALUE && onDemandPercentageAboveBase < 100;
  }

  /** How many of {@code total} instances are on-demand. */
  public int onDemand(int total) {
    if (total <= 0) {
      return 0;
    }
    int base = Math.min(total, onDemandBase);
    long above = total - base;
    // rounded up, as ASGs do; long: above * 100 cannot overflow
    long onDemandAbove = (above * onDemandPercentageAboveBase + 99) / 100;
    return (int) (base + onDemandAbove);
  }

  /** How many of {@code total} instances are spot. */
  public int spot(int total) {
    return Math.max(0, total) - onDemand(total);
  }

  /**
   * The market of each of {@code count} new launches (true: spot) for a fleet meant to have {@code
   * total} instances, of which {@code onDemandHave} on-demand and {@code spotHave} spot ones are
   * staying (up to date, launched or on their way; not the instances a rollout or an interruption
   * is replacing): each launch is on-demand while the staying fleet it makes lacks on-demand
   * instances for its share, spot otherwise. Counting only what stays is what keeps the mix through
   * a rollout: the new revision's instances alone form the mix of {@code total}, whatever market
   * the instances they replace had.
   */
  public List<Boolean> nextLaunches(int total, int onDemandHave, int spotHave, int count) {
    List<Boolean> out = new ArrayList<>(count);
    int od = onDemandHave;
    int sp = spotHave;
    for (int i = 0; i < count; i++) {
      // the fleet this launch makes; on-demand while that fleet's on-demand share is not met
      int size = Math.max(total, od + sp + 1);
      boolean spot = od >= onDemand(size);
      out.add(spot);
      if (spot) {
        sp++;
      } else {
        od++;
      }
    }
    return out;
  }

  /**
   * The order in which to give up instances so that the mix holds for the fleet that stays: of the
   * {@code candidates} (already ordered by the caller's preference, e.g. oldest first), the next
   * victim is always from the market with more instances than the remaining fleet's share; ties
   * keep the caller's order.
   *
   * @param all every instance the fleet counts (candidates among them)
   */
  public List<Instance> scaleInOrder(Collection<Instance> all, List<Instance> candidates) {
    int od = (int) all.stream().filter(i -> !i.spot()).count();
    int sp = all.size() - od;
    List<Instance> left = new ArrayList<>(candidates);
    List<Instance> out = new ArrayList<>(left.size());
    while (!left.isEmpty()) {
      int remaining = od + sp - 1;
      boolean dropSpot = sp > spot(remaining);
      boolean dropOnDemand = od > onDemand(remaining);
      Instance next =
          left.stream()
              .filter(i -> dropSpot == dropOnDemand || i.spot() == dropSpot)
              .findFirst()
              .orElse(left.get(0));
      out.add(next);
      left.remove(next);
      if (next.spot()) {
        sp--;
      } else {
        od--;
      }
    }
    return out;
  }

  /**
   * Fallback on-demand instances: in a fleet meant to use spot, the on-demand instances beyond the
   * mix's on-demand share of the fleet (launched on-demand because a zone had no spot), newest
   * first, so that the instances kept are the base's oldest.
   */
  public List<Instance> fallbackOnDemand(Collection<Instance> all) {
    if (!usesSpot()) {
      return List.of();
    }
    List<Instance> onDemand =
        all.stream()
            .filter(i -> !i.spot())
            .sorted(
                Comparator.comparing(
                        Instance::launchTime, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .reversed()
                    .thenComparing(Instance::id))
            .toList();
    int excess = onDemand.size() - onDemand(all.size());
    return excess <= 0 ? List.of() : onDemand.subList(0, excess);
  }
}
