package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders instances for termination, one at a time, so that every choice sees the counts left by the
 * ones before it. Zone balance comes first, as with Auto Scaling groups: instances in subnets the
 * spec no longer lists, then those whose removal leaves the listed subnets most even, then the most
 * crowded subnet. Among equals: not available before available, older revision before current, then
 * the fleet's scale-down order (newest or oldest first), then the id so the choice is
 * deterministic.
 */
final class Victims {
  private final PlanInput in;
  private final InstanceChecks view;
  private final Map<String, Integer> perSubnet;
  private final Set<String> listed;

  /**
   * @param perSubnet live and in-flight instances per subnet; updated as victims are chosen
   */
  Victims(PlanInput in, InstanceChecks view, Map<String, Integer> perSubnet) {
    this.in = in;
    this.view = view;
    this.perSubnet = perSubnet;
    this.listed = Set.copyOf(in.subnetIds());
  }

  /** The next victim among candidates, or null when there are none. Does not remove it. */
  Instance next(List<Instance> candidates) {
    return candidates.stream().filter(i -> !i.isProtected()).min(order()).orElse(null);
  }

  /** Unprotected candidates, best victim first, for the counts as they are now. */
  List<Instance> ordered(List<Instance> candidates) {
    return candidates.stream().filter(i -> !i.isProtected()).sorted(order()).toList();
  }

  private Comparator<Instance> order() {
    return Comparator.comparing((Instance i) -> listed.contains(i.subnetId()))
        .thenComparingInt(this::imbalanceWithout)
        .thenComparingInt(i -> -perSubnet.getOrDefault(String.valueOf(i.subnetId()), 0))
        .thenComparing(view::available)
        .thenComparing(view::current)
        .thenComparing(this::age)
        .thenComparing(Instance::id);
  }

  /** Records that the victim is going, for the next choice. */
  void taken(Instance victim) {
    perSubnet.merge(String.valueOf(victim.subnetId()), -1, Integer::sum);
  }

  /** Picks up to {@code count} victims in order, removing each from {@code candidates}. */
  List<Instance> take(List<Instance> candidates, int count) {
    List<Instance> pool = new ArrayList<>(candidates);
    List<Instance> chosen = new ArrayList<>();
    while (chosen.size() < count) {
      Instance victim = next(pool);
      if (victim == null) {
        break;
      }
      pool.remove(victim);
      taken(victim);
      chosen.add(victim);
    }
    candidates.removeAll(chosen);
    return chosen;
  }

  /** Max minus min of the listed subnets' counts if this instance were gone. */
  int imbalanceWithout(Instance i) {
    Map<String, Integer> after = listedCounts();
    after.computeIfPresent(String.valueOf(i.subnetId()), (k, v) -> v - 1);
    return spread(after);
  }

  /** Max minus min of the listed subnets' counts now. */
  int imbalance() {
    return spread(listedCounts());
  }

  private Map<String, Integer> listedCounts() {
    Map<String, Integer> counts = new HashMap<>();
    for (String s : in.subnetIds()) {
      counts.put(s, perSubnet.getOrDefault(s, 0));
    }
    return counts;
  }

  private static int spread(Map<String, Integer> counts) {
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    return max - min;
  }

  /** Sort key for the scale-down order: smaller goes first. */
  private long age(Instance i) {
    Instant t = i.launchTime() == null ? in.now() : i.launchTime();
    long millis = t.toEpochMilli();
    return in.policy().scaleDownOrder() == Policy.ScaleDownOrder.NEWEST_FIRST ? -millis : millis;
  }
}
