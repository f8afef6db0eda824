package dev.serverfleet.operator.planning;

import java.time.Duration;
import java.util.Objects;

/**
 * How a fleet changes, with every default applied: rollout strategy and bounds, readiness and
 * health rules, scale-in order.
 *
 * @param bounds the resolved rolling-update bounds for the current replicas (unused by Recreate)
 * @param minReady how long an instance must be ready before it counts as available
 * @param paused no instance is replaced for a template change; scaling still happens
 * @param statusChecks readiness also needs both EC2 status checks to pass
 * @param healthGrace failed status checks do not count as unhealthy this soon after launch
 * @param maxUnhealthyPercent the most instances, as a percentage of replicas, replaced for health
 *     at once (at least one)
 * @param readyTag the tag a running instance must carry to count as ready
 *     (lifecycle.readinessGate); null when the fleet has no gate
 */
public record Policy(
    Strategy strategy,
    RolloutBounds bounds,
    Duration minReady,
    boolean paused,
    ScaleDownOrder scaleDownOrder,
    boolean statusChecks,
    Duration healthGrace,
    int maxUnhealthyPercent,
    ReadyTag readyTag) {

  /** A tag key and the value that means ready. */
  public record ReadyTag(String key, String value) {}

  /** Without a readiness gate. */
  public Policy(
      Strategy strategy,
      RolloutBounds bounds,
      Duration minReady,
      boolean paused,
      ScaleDownOrder scaleDownOrder,
      boolean statusChecks,
      Duration healthGrace,
      int maxUnhealthyPercent) {
    this(
        strategy,
        bounds,
        minReady,
        paused,
        scaleDownOrder,
        statusChecks,
        healthGrace,
        maxUnhealthyPercent,
        null);
  }

  /** The same policy with this readiness gate (null: none). */
  public Policy withReadyTag(ReadyTag tag) {
    return new Policy(
        strategy,
        bounds,
        minReady,
        paused,
        scaleDownOrder,
        statusChecks,
        healthGrace,
        maxUnhealthyPercent,
        tag);
  }

  public enum Strategy {
    ROLLING_UPDATE,
    RECREATE
  }

  public enum ScaleDownOrder {
    NEWEST_FIRST,
    OLDEST_FIRST
  }

  /** {@code healthCheck.gracePeriodSeconds} when omitted. */
  public static final Duration DEFAULT_HEALTH_GRACE = Duration.ofMinutes(5);

  /** {@code healthCheck.maxUnhealthyPercent} when omitted. */
  public static final int DEFAULT_MAX_UNHEALTHY_PERCENT = 20;

  public Policy {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(bounds, "bounds");
    Objects.requireNonNull(minReady, "minReady");
    Objects.requireNonNull(scaleDownOrder, "scaleDownOrder");
    Objects.requireNonNull(healthGrace, "healthGrace");
    if (maxUnhealthyPercent < 1 || maxUnhealthyPercent > 100) {
      throw new IllegalArgumentException("maxUnhealthyPercent must be within 1..100");
    }
  }

  /** How many unhealthy instances may be replaced at once for {@code replicas}. */
  public int maxUnhealthyReplacements(int replicas) {
    return Math.max(1, replicas * maxUnhealthyPercent / 100);
  }
}
