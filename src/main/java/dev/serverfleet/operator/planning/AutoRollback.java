package dev.serverfleet.operator.planning;

import java.util.Optional;

/**
 * When a rollout must be rolled back on its own (strategy.autoRollback): it passed its progress
 * deadline, or more than healthCheck.maxUnhealthyPercent of the new revision's instances fail
 * health. Pure; the operator checks that the revision to return to still has its AMI before it
 * acts.
 */
public final class AutoRollback {
  private AutoRollback() {}

  /**
   * This pass's facts.
   *
   * @param enabled strategy.autoRollback
   * @param current the current revision's hash
   * @param complete the last revision whose rollout completed, if any
   * @param rolloutInProgress instances of an older revision remain, or the new ones are not all
   *     available yet
   * @param deadlineExceeded status says Progressing=False ProgressDeadlineExceeded for this
   *     generation
   * @param fresh instances of the new revision that exist (not terminated)
   * @param freshUnhealthy of those, the ones failing health
   * @param maxUnhealthyPercent healthCheck.maxUnhealthyPercent
   */
  public record Facts(
      boolean enabled,
      String current,
      Optional<String> complete,
      boolean rolloutInProgress,
      boolean deadlineExceeded,
      int fresh,
      int freshUnhealthy,
      int maxUnhealthyPercent) {}

  /** Why to roll back, or empty. */
  public static Optional<String> reason(Facts f) {
    if (!f.enabled()
        || !f.rolloutInProgress()
        || f.complete().isEmpty()
        || f.complete().get().equals(f.current())) {
      return Optional.empty();
    }
    if (f.fresh() > 0 && f.freshUnhealthy() * 100L > (long) f.maxUnhealthyPercent() * f.fresh()) {
      return Optional.of(
          String.format(
              "%d of %d instance(s) on revision %s failed health (healthCheck.maxUnhealthyPercent"
                  + " %d)",
              f.freshUnhealthy(), f.fresh(), f.current(), f.maxUnhealthyPercent()));
    }
    if (f.deadlineExceeded()) {
      return Optional.of(
          "the rollout of revision " + f.current() + " passed progressDeadlineSeconds");
    }
    return Optional.empty();
  }
}
