package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.controller.StatusBuilder.Counts;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.planning.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The three conditions, as a Deployment user reads them:
 *
 * <ul>
 *   <li>{@code Ready}: every desired instance is available on the current revision;
 *   <li>{@code Progressing}: a rollout or scaling is moving ({@code True}), is done ({@code True},
 *       RolloutComplete), is paused ({@code Unknown}, Paused), or has not moved for
 *       progressDeadlineSeconds ({@code False}, ProgressDeadlineExceeded);
 *   <li>{@code Degraded}: EC2 refuses what the fleet needs, or too many instances are unhealthy.
 * </ul>
 */
final class FleetConditions {
  private FleetConditions() {}

  static List<Condition> of(
      ServerFleet fleet,
      Counts c,
      ServerFleetStatus status,
      Optional<Degradation> degraded,
      Plan.Notes notes,
      Instant now) {
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    List<Condition> previous =
        Conditions.orEmpty(fleet.getStatus() == null ? null : fleet.getStatus().getConditions());
    String revision = status.getCurrentRevision();
    boolean complete =
        c.updatedAvailable() == c.desired() && c.live() == c.desired() && c.inFlight() == 0;

    String readyReason;
    String readyMessage =
        c.updatedAvailable()
            + " of "
            + c.desired()
            + " instances available on revision "
            + revision;
    if (complete) {
      readyReason = "AllInstancesReady";
    } else if (c.live() + c.inFlight() < c.desired()) {
      readyReason = "ScalingUp";
      readyMessage += ", " + c.inFlight() + " launching";
    } else if (c.updated() < c.live()) {
      readyReason = "OutdatedInstances";
      readyMessage += ", " + (c.live() - c.updated()) + " on an older revision or subnet";
    } else if (c.live() > c.desired()) {
      readyReason = "ScalingDown";
      readyMessage += ", terminating " + (c.live() - c.desired());
    } else {
      readyReason = "InstancesNotReady";
    }
    Condition ready =
        Conditions.condition(
            Conditions.READY, complete, readyReason, readyMessage, generation, now, previous);

    Condition progressing =
        progressing(fleet, c, status, complete, notes, generation, now, previous);

    Optional<Degradation> why =
        degraded.or(
            () ->
                notes.unhealthyDeferred() > 0
                    ? Optional.of(
                        new Degradation(
                            "TooManyUnhealthy",
                            notes.unhealthyDeferred()
                                + " unhealthy instance(s) left in place: replacing more at once than healthCheck.maxUnhealthyPercent "
                                + "allows would risk the fleet"))
                    : Optional.empty());
    Condition degradedCondition =
        why.map(
                d ->
                    Conditions.condition(
                        Conditions.DEGRADED,
                        true,
                        d.reason(),
                        d.message(),
                        generation,
                        now,
                        previous))
            .orElseGet(
                () ->
                    Conditions.condition(
                        Conditions.DEGRADED,
                        false,
                        "AsExpected",
                        "EC2 calls succeed",
                        generation,
                        now,
                        previous));
    return List.of(ready, progressing, degradedCondition);
  }

  private static Condition progressing(
      ServerFleet fleet,
      Counts c,
      ServerFleetStatus status,
      boolean complete,
      Plan.Notes notes,
      long generation,
      Instant now,
      List<Condition> previous) {
    String waiting =
        notes.protectedOutdated() > 0
            ? "; waiting for "
                + notes.protectedOutdated()
                + " protected instance(s) on an older revision"
            : "";
    if (Boolean.TRUE.equals(fleet.getSpec().getPaused())) {
      return Conditions.condition(
          Conditions.PROGRESSING,
          "Unknown",
          "Paused",
          "rollout paused; scaling still follows replicas",
          generation,
          now,
          previous);
    }
    if (complete) {
      return Conditions.condition(
          Conditions.PROGRESSING,
          "True",
          Conditions.ROLLOUT_COMPLETE,
          c.desired() + " instance(s) available on revision " + status.getCurrentRevision(),
          generation,
          now,
          previous);
    }
    Instant since =
        status.getLastProgressTime() == null ? now : Instant.parse(status.getLastProgressTime());
    Duration deadline = Duration.ofSeconds(SpecDefaults.progressDeadlineSeconds(fleet));
    if (Duration.between(since, now).compareTo(deadline) > 0) {
      return Conditions.condition(
          Conditions.PROGRESSING,
          "False",
          Conditions.DEADLINE_EXCEEDED,
          "no progress for "
              + deadline.toSeconds()
              + " s: "
              + c.updatedAvailable()
              + " of "
              + c.desired()
              + " instances available on revision "
              + status.getCurrentRevision()
              + waiting,
          generation,
          now,
          previous);
    }
    String reason =
        c.updated() < c.live() || notes.protectedOutdated() > 0
            ? "RollingOut"
            : c.live() + c.inFlight() < c.desired()
                ? "ScalingUp"
                : c.live() > c.desired() ? "ScalingDown" : "Settling";
    return Conditions.condition(
        Conditions.PROGRESSING,
        "True",
        reason,
        c.updated()
            + " of "
            + c.desired()
            + " instance(s) on revision "
            + status.getCurrentRevision()
            + ", "
            + c.updatedAvailable()
            + " available"
            + waiting,
        generation,
        now,
        previous);
  }
}
