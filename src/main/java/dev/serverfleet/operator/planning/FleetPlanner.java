package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The fleet's decisions, as a pure function of {@link PlanInput}: no I/O, no clock of its own.
 *
 * <p>Guarantees, each covered by tests:
 *
 * <ul>
 *   <li>only instances with this operator's cluster tag and this fleet's uid are ever chosen, and
 *       never one tagged {@code serverfleet.dev/protected=true} for scale-in or a rollout;
 *   <li>live plus launching instances never exceed {@code replicas + maxSurge} because of a launch,
 *       instances still draining before their termination included;
 *   <li>an instance draining ({@link PlanInput#draining}) is never chosen again, and counts as
 *       neither ready nor available;
 *   <li>a termination never takes available instances below {@code replicas − maxUnavailable}
 *       during a rolling update;
 *   <li>a recorded intent is never launched under a new token while it may still appear: its
 *       outcome is settled by the {@link LaunchLedger} first;
 *   <li>new instances go to the least-filled subnets, victims keep the subnets even;
 *   <li>at most {@link Policy#maxUnhealthyReplacements} unhealthy instances are replaced at once;
 *   <li>an instance AWS will take (doomed, {@link PlanInput#interruptions}) gets one replacement,
 *       and goes only within the fleet's {@link Maintenance} policy ({@link
 *       InterruptionReplacement}).
 * </ul>
 */
public final class FleetPlanner {

  private FleetPlanner() {}

  public static Plan plan(PlanInput in) {
    InstanceChecks view = new InstanceChecks(in);
    List<Instance> owned = in.instances().stream().filter(view::owned).toList();
    Map<String, Long> seenByToken = Intent.seenByToken(owned);
    LaunchLedger.Review ledger =
        LaunchLedger.review(in.intents(), seenByToken, in.revision(), in.now(), in.timing());

    HealthReplacement health = replaceUnhealthy(in, view, owned, ledger);
    List<Instance> live =
        owned.stream()
            .filter(
                i -> i.state().isLive() && !view.draining(i) && !health.replaced().contains(i.id()))
            .toList();
    int drainingLive =
        (int) owned.stream().filter(i -> i.state().isLive() && view.draining(i)).count();
    // Doomed instances are live but leaving: the rollout decides without them, so each gets its
    // replacement, and InterruptionReplacement decides when they go.
    List<Instance> doomed = InterruptionReplacement.doomed(in, live, health.launchFirst());
    List<Instance> pool = live.stream().filter(i -> !doomed.contains(i)).toList();

    // Intents whose retry is due are left out of what is launching: the decision says whether
    // the fleet still wants their instances, and they fill that want before any new token does.
    List<Intent> retryDue = ledger.retryDue();
    List<Intent> launching = ledger.kept().stream().filter(i -> !retryDue.contains(i)).toList();
    Map<String, Integer> perSubnet = new HashMap<>();
    pool.forEach(i -> perSubnet.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    launching.forEach(
        i -> perSubnet.merge(i.subnetId(), ledger.unseen().get(i.token()), Integer::sum));
    int launchingCurrent = unseen(ledger, launching, i -> i.revision().equals(in.revision()));
    int launchingOld = unseen(ledger, launching, i -> !i.revision().equals(in.revision()));
    Victims victims = new Victims(in, view, new HashMap<>(perSubnet));
    Rollout.Decision rollout =
        new Rollout(in, view, victims).decide(pool, launchingCurrent, launchingOld, drainingLive);
    // What counts against the policy's maximum besides the pool and the doomed: instances on the
    // way, and those still running while they drain.
    InterruptionReplacement.Outcome interrupted =
        InterruptionReplacement.decide(
            in, view, pool, doomed, launchingCurrent + launchingOld + drainingLive, rollout);
    Rollout.Decision decision =
        new Rollout.Decision(
            interrupted.launch(), rollout.terminations(), rollout.protectedOutdated());

    Retries retries = retry(retryDue, decision.launch(), ledger);
    List<Intent> open = new ArrayList<>();
    for (Intent intent : ledger.kept()) {
      open.add(retries.unneeded().contains(intent) ? LaunchLedger.unneeded(intent) : intent);
    }
    List<Launch> launches = new ArrayList<>(retries.launches());
    launches.addAll(newLaunches(in, view, pool, decision, ledger, open, retries, seenByToken));
    List<Intent> lookups =
        open.stream().filter(i -> LaunchLedger.lookupDue(i, in.now(), in.timing())).toList();

    List<Termination> terminations = new ArrayList<>(health.terminations());
    terminations.addAll(decision.terminations());
    terminations.addAll(interrupted.terminations());
    return new Plan(
        launches,
        terminations,
        open,
        lookups,
        ledger.observed(),
        new Plan.Notes(health.deferred(), decision.protectedOutdated()));
  }

  /**
   * Unhealthy instances to replace now, how many more wait for the replacement cap, and the
   * impaired ones replaced launch-first under the fleet's maintenance policy.
   */
  private record HealthReplacement(
      List<Termination> terminations,
      Set<String> replaced,
      int deferred,
      Set<String> launchFirst) {}

  /**
   * Health: stopped instances, and with status checks impaired ones past their grace, are replaced
   * at most {@link Policy#maxUnhealthyReplacements} at a time, stopped ones first. The cap counts
   * replacements still starting (current instances not yet available, launches on the way), so a
   * wave of failures is replaced a share at a time, not all within one poll. With a maintenance
   * policy in the spec ({@link Interruptions#healthLaunchFirst}), impaired instances that still run
   * are replaced like doomed ones instead: launch first, within the policy's bounds.
   */
  private static HealthReplacement replaceUnhealthy(
      PlanInput in, InstanceChecks view, List<Instance> owned, LaunchLedger.Review ledger) {
    Set<String> launchFirst =
        in.interruptions().healthLaunchFirst()
            ? owned.stream()
                .filter(i -> view.unhealthy(i) && i.state().isLive())
                .map(Instance::id)
                .collect(Collectors.toSet())
            : Set.of();
    List<Instance> unhealthy =
        owned.stream()
            .filter(i -> view.unhealthy(i) && !launchFirst.contains(i.id()))
            .sorted(
                Comparator.comparing((Instance i) -> !i.state().isStopped())
                    .thenComparing(i -> i.launchTime() == null ? Instant.MAX : i.launchTime())
                    .thenComparing(Instance::id))
            .toList();
    if (unhealthy.isEmpty()) {
      return new HealthReplacement(List.of(), Set.of(), 0, launchFirst);
    }
    int cap = in.policy().maxUnhealthyReplacements(in.replicas());
    Predicate<Instance> currentAndHealthy =
        i -> i.state().isLive() && !view.unhealthy(i) && view.current(i);
    int starting =
        (int) owned.stream().filter(i -> currentAndHealthy.test(i) && !view.available(i)).count()
            + ledger.launching(List.of());
    int availableCurrent =
        (int) owned.stream().filter(i -> currentAndHealthy.test(i) && view.available(i)).count();
    int replacing = Math.max(0, Math.min(starting, in.replicas() - availableCurrent));
    List<Instance> replaced =
        unhealthy.subList(0, Math.min(Math.max(0, cap - replacing), unhealthy.size()));
    List<Termination> terminations =
        replaced.stream()
            .map(
                i ->
                    new Termination(
                        i.id(),
                        i.subnetId(),
                        i.state().isStopped()
                            ? Termination.Reason.STOPPED
                            : Termination.Reason.UNHEALTHY))
            .toList();
    return new HealthReplacement(
        terminations,
        replaced.stream().map(Instance::id).collect(Collectors.toSet()),
        Math.max(0, unhealthy.size() - cap),
        launchFirst);
  }

  /**
   * Due retries that fit what the fleet wants to launch, the rest to be looked up, and what is
   * left.
   */
  private record Retries(List<Launch> launches, List<Intent> unneeded, int remaining) {}

  private static Retries retry(List<Intent> due, int wanted, LaunchLedger.Review ledger) {
    List<Launch> launches = new ArrayList<>();
    List<Intent> unneeded = new ArrayList<>();
    int remaining = wanted;
    for (Intent intent : due) {
      if (intent.count() <= remaining) {
        launches.add(
            new Launch(
                intent.token(),
                intent.subnetId(),
                intent.count(),
                intent.revision(),
                true,
                intent.instanceType(),
                intent.capacityType()));
        remaining -= intent.count();
      } else {
        unneeded.add(intent);
      }
    }
    // One left unsent may still have launched: what it may have made counts until its lookup.
    for (Intent intent : unneeded) {
      remaining -= ledger.unseen().get(intent.token());
    }
    return new Retries(launches, unneeded, Math.max(0, remaining));
  }

  /**
   * New intents for what the decision wants beyond the retries, placed first by the instances that
   * will stay (current and protected live instances, launches on the way), so a rollout ends
   * balanced; then by everything still running after this plan, so a subnet that just lost an old
   * instance gets its replacement. Adds each new intent to {@code open}.
   */
  private static List<Launch> newLaunches(
      PlanInput in,
      InstanceChecks view,
      List<Instance> pool,
      Rollout.Decision decision,
      LaunchLedger.Review ledger,
      List<Intent> open,
      Retries retries,
      Map<String, Long> seenByToken) {
    if (retries.remaining() <= 0) {
      return List.of();
    }
    Set<String> leaving =
        decision.terminations().stream().map(Termination::instanceId).collect(Collectors.toSet());
    Map<String, Integer> staying = new HashMap<>();
    Map<String, Integer> perSubnet = new HashMap<>();
    pool.forEach(i -> perSubnet.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    pool.stream()
        .filter(i -> !leaving.contains(i.id()) && (view.current(i) || i.isProtected()))
        .forEach(i -> staying.merge(String.valueOf(i.subnetId()), 1, Integer::sum));
    for (Intent i : ledger.kept()) {
      int unseen = ledger.unseen().get(i.token());
      perSubnet.merge(i.subnetId(), unseen, Integer::sum);
      if (i.revision().equals(in.revision())) {
        staying.merge(
            i.subnetId(), unseen, Integer::sum); // an older revision's launch will not stay
      }
    }
    Set<String> usedTokens = new HashSet<>(seenByToken.keySet());
    in.intents().forEach(i -> usedTokens.add(i.token()));
    List<Launch> launches = new ArrayList<>();
    int k = 0;
    for (Map.Entry<String, Integer> e :
        allocate(retries.remaining(), in, staying, perSubnet).entrySet()) {
      String token = token(in.fleetUid(), in.now(), k++);
      while (usedTokens.contains(token)) {
        token = token(in.fleetUid(), in.now(), k++);
      }
      usedTokens.add(token);
      String type = in.instanceTypeFor(e.getKey());
      launches.add(new Launch(token, e.getKey(), e.getValue(), in.revision(), false, type));
      open.add(new Intent(token, e.getKey(), e.getValue(), in.revision(), in.now(), type));
    }
    return launches;
  }

  private static int unseen(
      LaunchLedger.Review ledger, List<Intent> intents, Predicate<Intent> which) {
    return intents.stream().filter(which).mapToInt(i -> ledger.unseen().get(i.token())).sum();
  }

  /**
   * Spreads {@code count} new instances one at a time onto the least-filled subnet by {@code
   * primary}, ties broken by {@code secondary}, then by the order in spec. Subnets to avoid (a
   * shortage reported, or no instance type available: {@link PlanInput#subnetsToAvoid}) are skipped
   * while any other is available.
   */
  static Map<String, Integer> allocate(
      int count, PlanInput in, Map<String, Integer> primary, Map<String, Integer> secondary) {
    Set<String> avoid = in.subnetsToAvoid();
    List<String> candidates = in.subnetIds().stream().filter(s -> !avoid.contains(s)).toList();
    if (candidates.isEmpty()) {
      candidates = in.subnetIds();
    }
    Map<String, Integer> filled = new HashMap<>();
    Map<String, Integer> tie = new HashMap<>();
    candidates.forEach(
        s -> {
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
    return "sf-"
        + uid.substring(0, Math.min(12, uid.length()))
        + "-"
        + Long.toString(now.toEpochMilli(), 36)
        + "-"
        + index;
  }
}
