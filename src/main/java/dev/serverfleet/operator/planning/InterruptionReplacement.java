package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Interruption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Replacing instances AWS will take (doomed: {@link PlanInput#interruptions}), within the fleet's
 * {@link Maintenance} policy. Doomed instances are live but leaving: the rollout decides on the
 * fleet without them, so it plans one replacement for each (in their subnets, since those are now
 * the emptiest) and counts none of them twice; this class then
 *
 * <ul>
 *   <li>caps the launches so that live and launching instances, doomed ones included, stay at or
 *       below {@link Maintenance#maxTotal} (the surge the replacements may take above replicas);
 *   <li>terminates a doomed instance once available instances (doomed ones included, those the
 *       rollout terminates excluded) stay at or above {@link Maintenance#minHealthy} without it:
 *       with the default minimum of 100%, only once its replacement is available. A doomed instance
 *       that is not available costs nothing and goes at once. Earliest deadline first.
 * </ul>
 *
 * <p>Impaired instances replaced launch-first ({@link Interruptions#healthLaunchFirst}) are doomed
 * the same way, except that one goes (as UNHEALTHY) only once available instances are at the floor
 * without it: it serves nothing, but AWS will not take it either.
 *
 * <p>A protected instance is replaced but never terminated by the fleet: AWS takes it at its
 * deadline. Without doomed instances, the rollout's decision stands unchanged.
 */
final class InterruptionReplacement {
  private InterruptionReplacement() {}

  record Outcome(int launch, List<Termination> terminations) {}

  /**
   * The live instances with a notice (not already replaced for health), and the impaired ones to
   * replace launch-first.
   */
  static List<Instance> doomed(PlanInput in, List<Instance> live, Set<String> launchFirst) {
    return live.stream()
        .filter(
            i -> in.interruptions().doomed().containsKey(i.id()) || launchFirst.contains(i.id()))
        .toList();
  }

  /**
   * @param pool live instances that stay: neither doomed nor replaced for health
   * @param doomed live doomed instances
   * @param launching instances counted against the maximum besides the pool and the doomed: on the
   *     way (launch intents not yet seen), and running while they drain
   */
  static Outcome decide(
      PlanInput in,
      InstanceChecks view,
      List<Instance> pool,
      List<Instance> doomed,
      int launching,
      Rollout.Decision decision) {
    if (doomed.isEmpty()) {
      return new Outcome(decision.launch(), List.of());
    }
    Maintenance policy = in.interruptions().maintenance();
    int room = policy.maxTotal(in.replicas()) - (pool.size() + doomed.size() + launching);
    int launch = Math.max(0, Math.min(decision.launch(), room));

    Set<String> leaving =
        decision.terminations().stream().map(Termination::instanceId).collect(Collectors.toSet());
    int healthy =
        (int) pool.stream().filter(i -> !leaving.contains(i.id()) && view.available(i)).count()
            + (int) doomed.stream().filter(view::available).count();
    int floor = policy.minHealthy(in.replicas());
    List<Termination> out = new ArrayList<>();
    for (Instance d : byDeadline(in, doomed)) {
      boolean noticed = in.interruptions().doomed().containsKey(d.id());
      if (d.isProtected()) {
        continue;
      }
      if (view.available(d)) {
        if (healthy - 1 < floor) {
          continue;
        }
        healthy--;
      } else if (!noticed && healthy < floor) {
        continue; // impaired: kept until its replacement is available (launch before terminate)
      }
      out.add(
          new Termination(
              d.id(),
              d.subnetId(),
              noticed ? Termination.Reason.INTERRUPTED : Termination.Reason.UNHEALTHY));
    }
    return new Outcome(launch, out);
  }

  private static List<Instance> byDeadline(PlanInput in, List<Instance> doomed) {
    return doomed.stream()
        .sorted(
            Comparator.comparing(
                    (Instance i) -> {
                      Interruption n = in.interruptions().doomed().get(i.id());
                      return n == null || n.deadline() == null ? Instant.MAX : n.deadline();
                    })
                .thenComparing(Instance::id))
        .toList();
  }
}
