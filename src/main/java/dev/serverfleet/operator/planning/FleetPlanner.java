package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.InstanceState;
import dev.serverfleet.operator.cloud.OwnershipTags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fleet's decisions, as a pure function of {@link PlanInput}: no I/O, no clock of its own.
 *
 * <p>Guarantees, each covered by tests:
 * <ul>
 *   <li>only instances with this operator's cluster tag and this fleet's uid are ever chosen;
 *   <li>live instances plus launches in flight never exceed {@code replicas} because of a launch;
 *   <li>a recorded intent is never launched under a new token while it may still appear;
 *   <li>new instances go to the least-filled subnets, victims come from the most crowded.
 * </ul>
 */
public final class FleetPlanner {

  private FleetPlanner() {}

  public static Plan plan(PlanInput in) {
    List<Instance> owned = in.instances().stream()
        .filter(i -> i.ownedBy(in.clusterName(), in.fleetUid()))
        .toList();
    Set<String> seenTokens = owned.stream()
        .map(i -> i.tag(OwnershipTags.LAUNCH))
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());

    List<Intent> inFlight = new ArrayList<>();
    List<Intent> expired = new ArrayList<>();
    List<Launch> launches = new ArrayList<>();
    for (Intent intent : in.intents()) {
      if (seenTokens.contains(intent.token())) {
        continue; // fulfilled: its instances are observed and count as themselves
      }
      Duration age = Duration.between(intent.createdAt(), in.now());
      if (age.compareTo(in.timing().expireAfter()) >= 0) {
        expired.add(intent);
        continue;
      }
      inFlight.add(intent);
      // An intent of an older revision is not retried: AWS would refuse its token with other
      // parameters. It waits to appear or expire.
      if (age.compareTo(in.timing().retryAfter()) >= 0 && intent.revision().equals(in.revision())) {
        launches.add(new Launch(intent.token(), intent.subnetId(), intent.count(), intent.revision(), true));
      }
    }

    List<Termination> terminations = new ArrayList<>();
    List<Instance> live = new ArrayList<>();
    for (Instance instance : owned) {
      if (instance.state().isLive()) {
        live.add(instance);
      } else if (instance.state().isStopped()) {
        terminations.add(new Termination(instance.id(), instance.subnetId(), Termination.Reason.STOPPED));
      }
    }

    Map<String, Integer> perSubnet = new HashMap<>();
    live.forEach(i -> perSubnet.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    inFlight.forEach(i -> perSubnet.merge(i.subnetId(), i.count(), Integer::sum));
    int inFlightCount = inFlight.stream().mapToInt(Intent::count).sum();
    int total = live.size() + inFlightCount;

    if (total < in.replicas()) {
      Map<String, Integer> allocation = allocate(in.replicas() - total, in, perSubnet);
      int k = 0;
      for (Map.Entry<String, Integer> e : allocation.entrySet()) {
        String token = token(in.fleetUid(), in.now(), k++);
        launches.add(new Launch(token, e.getKey(), e.getValue(), in.revision(), false));
        inFlight.add(new Intent(token, e.getKey(), e.getValue(), in.revision(), in.now()));
      }
    } else if (total > in.replicas()) {
      int excess = Math.min(total - in.replicas(), live.size());
      for (Instance victim : victims(live, excess, in, perSubnet)) {
        terminations.add(new Termination(victim.id(), victim.subnetId(), Termination.Reason.SCALE_IN));
      }
    }
    return new Plan(launches, terminations, inFlight, expired);
  }

  /**
   * Spreads {@code count} new instances one at a time onto the least-filled subnet, ties broken by
   * the order in spec. Subnets to avoid are skipped while any other is available.
   */
  static Map<String, Integer> allocate(int count, PlanInput in, Map<String, Integer> perSubnet) {
    List<String> candidates = in.subnetIds().stream().filter(s -> !in.avoidSubnets().contains(s)).toList();
    if (candidates.isEmpty()) {
      candidates = in.subnetIds();
    }
    Map<String, Integer> filled = new HashMap<>();
    candidates.forEach(s -> filled.put(s, perSubnet.getOrDefault(s, 0)));
    Map<String, Integer> allocation = new LinkedHashMap<>();
    for (int n = 0; n < count; n++) {
      String target = candidates.get(0);
      for (String s : candidates) {
        if (filled.get(s) < filled.get(target)) {
          target = s;
        }
      }
      filled.merge(target, 1, Integer::sum);
      allocation.merge(target, 1, Integer::sum);
    }
    return allocation;
  }

  /**
   * Picks scale-in victims one at a time: not ready (pending) first, then instances of an older
   * revision, then instances in subnets the spec no longer lists, then the most crowded subnet,
   * then the newest, then by id so the choice is deterministic.
   */
  static List<Instance> victims(List<Instance> live, int count, PlanInput in, Map<String, Integer> perSubnet) {
    Map<String, Integer> crowd = new HashMap<>(perSubnet);
    Set<String> listed = Set.copyOf(in.subnetIds());
    List<Instance> candidates = new ArrayList<>(live);
    List<Instance> chosen = new ArrayList<>();
    for (int n = 0; n < count && !candidates.isEmpty(); n++) {
      Comparator<Instance> order = Comparator
          .comparing((Instance i) -> i.state() != InstanceState.PENDING)
          .thenComparing(i -> in.revision().equals(i.tag(OwnershipTags.REVISION)))
          .thenComparing(i -> listed.contains(i.subnetId()))
          .thenComparing(i -> -crowd.getOrDefault(String.valueOf(i.subnetId()), 0))
          .thenComparing(i -> i.launchTime() == null ? Instant.MAX : i.launchTime(), Comparator.reverseOrder())
          .thenComparing(Instance::id);
      Instance victim = candidates.stream().min(order).orElseThrow();
      candidates.remove(victim);
      chosen.add(victim);
      crowd.merge(String.valueOf(victim.subnetId()), -1, Integer::sum);
    }
    return chosen;
  }

  /** A client token unique per fleet and decision: ≤ 64 ASCII characters, as EC2 requires. */
  static String token(String fleetUid, Instant now, int index) {
    String uid = fleetUid.replace("-", "");
    return "sf-" + uid.substring(0, Math.min(12, uid.length())) + "-"
        + Long.toString(now.toEpochMilli(), 36) + "-" + index;
  }
}
