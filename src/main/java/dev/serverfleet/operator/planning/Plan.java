package dev.serverfleet.operator.planning;

import java.util.List;

/**
 * What to do in one reconcile.
 *
 * @param intents the launch intents to keep in status after this plan: still in flight plus the
 *     new ones; fulfilled and expired intents are gone
 * @param expired intents that were never seen in EC2 within their lifetime (reported as failures)
 */
public record Plan(List<Launch> launches, List<Termination> terminations, List<Intent> intents, List<Intent> expired,
    Notes notes) {

  /**
   * What the plan could not do, for conditions.
   *
   * @param unhealthyDeferred unhealthy instances beyond the fleet's share for health replacement:
   *     more are failing than may be replaced at once
   * @param protectedOutdated protected instances on an older revision that the rollout must wait for
   */
  public record Notes(int unhealthyDeferred, int protectedOutdated) {
    public static final Notes NONE = new Notes(0, 0);
  }

  public Plan(List<Launch> launches, List<Termination> terminations, List<Intent> intents, List<Intent> expired) {
    this(launches, terminations, intents, expired, Notes.NONE);
  }

  public Plan {
    launches = List.copyOf(launches);
    terminations = List.copyOf(terminations);
    intents = List.copyOf(intents);
    expired = List.copyOf(expired);
  }

  public boolean isEmpty() {
    return launches.isEmpty() && terminations.isEmpty();
  }

  public int launchCount() {
    return launches.stream().mapToInt(Launch::count).sum();
  }

  /** The launches that record a new intent (as opposed to retrying an old one). */
  public List<Launch> newLaunches() {
    return launches.stream().filter(l -> !l.retry()).toList();
  }
}
