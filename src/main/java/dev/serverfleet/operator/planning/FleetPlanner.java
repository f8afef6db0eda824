package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.OwnershipTags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fleet's decisions, as a pure function of {@link PlanInput}: no I/O, no clock of its own.
 *
 * <p>Guarantees, each covered by tests:
 * <ul>
 *   <li>only instances with this operator's cluster tag and this fleet's uid are ever chosen, and
 *       never one tagged {@code serverfleet.dev/protected=true} for scale-in or a rollout;
 *   <li>live plus launching instances never exceed {@code replicas + maxSurge} because of a launch;
 *   <li>a termination never takes available instances below {@code replicas − maxUnavailable}
 *       during a rolling update;
 *   <li>a recorded intent is never launched under a new token while it may still appear;
 *   <li>new instances go to the least-filled subnets, victims keep the subnets even;
 *   <li>at most {@link Policy#maxUnhealthyReplacements} unhealthy instances are replaced at once.
 * </ul>
 */
public final class FleetPlanner {

  private FleetPlanner() {}

  public static Plan plan(PlanInput in) {
    FleetView view = new FleetView(in);
    List<Instance> owned = in.instances().stream().filter(view::owned).toList();
    Map<String, Long> seenByToken = Intent.seenByToken(owned);

    // An intent stays until it is older than retryAfter: before that, instances seen for it may
    // be only the ones RunInstances returned, which a poll may not show yet. While it stays, only
    // the instances not yet seen count as in flight.
    List<Intent> inFlight = new ArrayList<>();
    List<Intent> expired = new ArrayList<>();
    List<Intent> retryable = new ArrayList<>();
    Map<String, Integer> unseen = new HashMap<>();
    for (Intent intent : in.intents()) {
      long seen = seenByToken.getOrDefault(intent.token(), 0L);
      Duration age = Duration.between(intent.createdAt(), in.now());
      boolean settled = age.compareTo(in.timing().retryAfter()) >= 0;
      if (seen > 0 && settled) {
        continue; // fulfilled: its instances are observed and count as themselves
      }
      if (age.compareTo(in.timing().expireAfter()) >= 0) {
        expired.add(intent);
        continue;
      }
      inFlight.add(intent);
      unseen.put(intent.token(), intent.unseen(seenByToken));
      // An intent of an older revision is not retried: AWS would refuse its token with other
      // parameters. It waits to appear or expire.
      if (settled && seen == 0 && intent.revision().equals(in.revision())) {
        retryable.add(intent);
      }
    }
    List<Launch> launches = new ArrayList<>();

    // Health: replace at most the allowed share at once, stopped ones first.
    List<Instance> unhealthy = owned.stream().filter(view::unhealthy)
        .sorted(Comparator.comparing((Instance i) -> !i.state().isStopped())
            .thenComparing(i -> i.launchTime() == null ? Instant.MAX : i.launchTime())
            .thenComparing(Instance::id))
        .toList();
    // The cap counts replacements still starting (instances not yet available, launches in
    // flight), so a wave of failures is replaced a share at a time, not all within one poll.
    int cap = in.policy().maxUnhealthyReplacements(in.replicas());
    int starting = (int) owned.stream()
        .filter(i -> i.state().isLive() && !view.unhealthy(i) && view.current(i) && !view.available(i)).count()
        + inFlight.stream().mapToInt(i -> unseen.get(i.token())).sum();
    int availableCurrent = (int) owned.stream()
        .filter(i -> i.state().isLive() && !view.unhealthy(i) && view.current(i) && view.available(i)).count();
    int replacing = Math.max(0, Math.min(starting, in.replicas() - availableCurrent));
    int allowed = unhealthy.isEmpty() ? 0 : Math.max(0, cap - replacing);
    List<Instance> replaced = unhealthy.subList(0, Math.min(allowed, unhealthy.size()));
    List<Termination> terminations = new ArrayList<>();
    for (Instance i : replaced) {
      terminations.add(new Termination(i.id(), i.subnetId(),
          i.state().isStopped() ? Termination.Reason.STOPPED : Termination.Reason.UNHEALTHY));
    }
    List<Instance> pool = owned.stream().filter(i -> i.state().isLive() && !replaced.contains(i)).toList();

    // A retry is made only while the fleet still needs it; otherwise the intent just waits.
    int need = in.replicas() - pool.size();
    for (Intent intent : inFlight) {
      if (!retryable.contains(intent)) {
        need -= unseen.get(intent.token());
      }
    }
    for (Intent intent : retryable) {
      if (need >= intent.count()) {
        launches.add(new Launch(intent.token(), intent.subnetId(), intent.count(), intent.revision(), true));
      }
      need -= intent.count();
    }

    Map<String, Integer> perSubnet = new HashMap<>();
    pool.forEach(i -> perSubnet.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    inFlight.forEach(i -> perSubnet.merge(i.subnetId(), unseen.get(i.token()), Integer::sum));
    int inFlightCurrent = inFlight.stream().filter(i -> i.revision().equals(in.revision()))
        .mapToInt(i -> unseen.get(i.token())).sum();
    int inFlightOld = inFlight.stream().mapToInt(i -> unseen.get(i.token())).sum() - inFlightCurrent;

    Victims victims = new Victims(in, view, new HashMap<>(perSubnet));
    Rollout.Decision decision = new Rollout(in, view, victims).decide(pool, inFlightCurrent, inFlightOld);
    terminations.addAll(decision.terminations());
    // New instances go first by the ones that will stay (current and protected live instances,
    // launches in flight), so a rollout ends balanced; then by everything still running after this
    // plan, so a subnet that just lost an old instance gets its replacement.
    Set<String> leaving = decision.terminations().stream().map(Termination::instanceId).collect(Collectors.toSet());
    Map<String, Integer> staying = new HashMap<>();
    pool.stream()
        .filter(i -> !leaving.contains(i.id()) && (view.current(i) || FleetView.isProtected(i)))
        .forEach(i -> staying.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    inFlight.forEach(i -> staying.merge(i.subnetId(), unseen.get(i.token()), Integer::sum));

    Map<String, Integer> allocation = allocate(decision.launch(), in, staying, perSubnet);
    Set<String> usedTokens = new java.util.HashSet<>(seenByToken.keySet());
    in.intents().forEach(i -> usedTokens.add(i.token()));
    int k = 0;
    for (Map.Entry<String, Integer> e : allocation.entrySet()) {
      String token = token(in.fleetUid(), in.now(), k++);
      while (usedTokens.contains(token)) {
        token = token(in.fleetUid(), in.now(), k++);
      }
      usedTokens.add(token);
      launches.add(new Launch(token, e.getKey(), e.getValue(), in.revision(), false));
      inFlight.add(new Intent(token, e.getKey(), e.getValue(), in.revision(), in.now()));
    }
    return new Plan(launches, terminations, inFlight, expired,
        new Plan.Notes(Math.max(0, unhealthy.size() - cap), decision.protectedOutdated()));
  }

  /** As {@link #allocate(int, PlanInput, Map, Map)} with one count. */
  static Map<String, Integer> allocate(int count, PlanInput in, Map<String, Integer> perSubnet) {
    return allocate(count, in, perSubnet, Map.of());
  }

  /**
   * Spreads {@code count} new instances one at a time onto the least-filled subnet by
   * {@code primary}, ties broken by {@code secondary}, then by the order in spec. Subnets to avoid
   * are skipped while any other is available.
   */
  static Map<String, Integer> allocate(int count, PlanInput in, Map<String, Integer> primary,
      Map<String, Integer> secondary) {
    List<String> candidates = in.subnetIds().stream().filter(s -> !in.avoidSubnets().contains(s)).toList();
    if (candidates.isEmpty()) {
      candidates = in.subnetIds();
    }
    Map<String, Integer> filled = new HashMap<>();
    Map<String, Integer> tie = new HashMap<>();
    candidates.forEach(s -> {
      filled.put(s, primary.getOrDefault(s, 0));
      tie.put(s, secondary.getOrDefault(s, 0));
    });
    Map<String, Integer> allocation = new LinkedHashMap<>();
    for (int n = 0; n < count; n++) {
      String target = candidates.get(0);
      for (String s : candidates) {
        int byFill = Integer.compare(filled.get(s), filled.get(target));
        if (byFill < 0 || (byFill == 0 && tie.get(s) < tie.get(target))) {
          target = s;
        }
      }
      filled.merge(target, 1, Integer::sum);
      tie.merge(target, 1, Integer::sum);
      allocation.merge(target, 1, Integer::sum);
    }
    return allocation;
  }

  /** A client token unique per fleet and decision: ≤ 64 ASCII characters, as EC2 requires. */
  static String token(String fleetUid, Instant now, int index) {
    String uid = fleetUid.replace("-", "");
    return "sf-" + uid.substring(0, Math.min(12, uid.length())) + "-"
        + Long.toString(now.toEpochMilli(), 36) + "-" + index;
  }
}
