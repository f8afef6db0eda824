package dev.serverfleet.operator.planning;

import java.util.List;

/**
 * What to do in one reconcile.
 *
 * @param intents the launch ledger after this plan: open intents plus the new ones (observed ones
 *     are gone)
 * @param lookups open intents whose outcome is to be settled now by a DescribeInstances filtered by
 *     their launch tag
 * @param observed intents EC2 now shows in full, gone from the ledger
 */
public record Plan(
    List<Launch> launches,
    List<Termination> terminations,
    List<Intent> intents,
    List<Intent> lookups,
    List<Intent> observed,
    Notes notes) {

  /**
   * What the plan could not do, for conditions.
   *
   * @param unhealthyDeferred unhealthy instances beyond the fleet's share for health replacement:
   *     more are failing than may be replaced at once
   * @param protectedOutdated protected instances on an older revision that the rollout must wait
   *     for
   */
  public record Notes(int unhealthyDeferred, int protectedOutdated) {
    public static final Notes NONE = new Notes(0, 0);
  }

  public Plan {
    launches = List.copyOf(launches);
    terminations = List.copyOf(terminations);
    intents = List.copyOf(intents);
    lookups = List.copyOf(lookups);
    observed = List.copyOf(observed);
  }

  public boolean isEmpty() {
    return launches.isEmpty() && terminations.isEmpty() && lookups.isEmpty();
  }

  /** The launches that record a new intent (as opposed to retrying an old one). */
  public List<Launch> newLaunches() {
    return launches.stream().filter(l -> !l.retry()).toList();
  }

  /**
   * This plan without its launches under new tokens and their intents: what a hold lets through.
   * Retries stay, since their instances may exist already and only the same token settles them.
   */
  public Plan withoutNewLaunches() {
    List<String> fresh = newLaunches().stream().map(Launch::token).toList();
    return new Plan(
        launches.stream().filter(Launch::retry).toList(),
        terminations,
        intents.stream().filter(i -> !fresh.contains(i.token())).toList(),
        lookups,
        observed,
        notes);
  }
}
