package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.controller.StatusBuilder.Counts;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.planning.Plan;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    // Ready counts what stays: doomed instances (AWS will take them) are left out; Progressing
    // stays True (ReplacingInterrupted) until they are gone.
    boolean settled =
        c.updatedAvailable() - c.doomedAvailable() == c.desired()
            && c.live() - c.doomed() == c.desired()
            && c.inFlight() == 0;
    boolean complete = settled && c.doomed() == 0;
    return List.of(
        FallbackNote.noted(
            ready(c, status.getCurrentRevision(), settled, generation, now, previous),
            fleet,
            status),
        FallbackNote.noted(
            progressing(fleet, c, status, complete, notes, generation, now, previous),
            fleet,
            status),
        degraded(degraded, notes, generation, now, previous));
  }

  private static Condition ready(
      Counts c,
      String revision,
      boolean complete,
      long generation,
      Instant now,
      List<Condition> previous) {
    String reason;
    String message =
        c.updatedAvailable()
            + " of "
            + c.desired()
            + " instances available on revision "
            + revision;
    if (complete) {
      reason = "AllInstancesReady";
    } else if (c.doomed() > 0) {
      reason = REPLACING_INTERRUPTED;
      message =
          (c.updatedAvailable() - c.doomedAvailable())
              + " of "
              + c.desired()
              + " instances available on revision "
              + revision
              + " besides "
              + c.doomed()
              + " that AWS will take, being replaced";
    } else if (c.live() + c.inFlight() < c.desired()) {
      reason = "ScalingUp";
      message += ", " + c.inFlight() + " launching";
    } else if (c.updated() < c.live()) {
      reason = "OutdatedInstances";
      message += ", " + (c.live() - c.updated()) + " on an older revision or subnet";
    } else if (c.live() > c.desired()) {
      reason = "ScalingDown";
      message += ", terminating " + (c.live() - c.desired());
    } else {
      reason = "InstancesNotReady";
    }
    return Conditions.condition(
        Conditions.READY, complete, reason, message, generation, now, previous);
  }

  private static Condition degraded(
      Optional<Degradation> degraded,
      Plan.Notes notes,
      long generation,
      Instant now,
      List<Condition> previous) {
    Optional<Degradation> why =
        degraded.or(
            () ->
                notes.unhealthyDeferred() > 0
                    ? Optional.of(
                        new Degradation(
                            "TooManyUnhealthy",
                            notes.unhealthyDeferred()
                                + " unhealthy instance(s) left in place: replacing more at once"
                                + " than healthCheck.maxUnhealthyPercent allows would risk the"
                                + " fleet"))
                    : Optional.empty());
    return why.map(
            d ->
                Conditions.condition(
                    Conditions.DEGRADED, true, d.reason(), d.message(), generation, now, previous))
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
    String revision = status.getCurrentRevision();
    String waiting =
        notes.protectedOutdated() > 0
            ? String.format(
                "; waiting for %d protected instance(s) on an older revision",
                notes.protectedOutdated())
            : "";
    String value;
    String reason;
    String message;
    Instant since =
        status.getLastProgressTime() == null ? now : Instant.parse(status.getLastProgressTime());
    Duration deadline = Duration.ofSeconds(SpecDefaults.progressDeadlineSeconds(fleet));
    Optional<CheckpointStatus> hold =
        Optional.ofNullable(status.getRollout()).map(RolloutStatus::checkpoint);
    if (hold.isPresent() && !complete) {
      value = "Unknown";
      reason = CHECKPOINT;
      message = checkpointMessage(fleet, hold.get(), revision);
    } else if (Boolean.TRUE.equals(fleet.getSpec().getPaused())) {
      value = "Unknown";
      reason = "Paused";
      message = "rollout paused; scaling still follows replicas";
    } else if (complete) {
      value = "True";
      reason = Conditions.ROLLOUT_COMPLETE;
      message = String.format("%d instance(s) available on revision %s", c.desired(), revision);
    } else if (Duration.between(since, now).compareTo(deadline) > 0) {
      value = "False";
      reason = Conditions.DEADLINE_EXCEEDED;
      message =
          String.format(
              "no progress for %d s: %d of %d instances available on revision %s%s",
              deadline.toSeconds(), c.updatedAvailable(), c.desired(), revision, waiting);
    } else {
      value = "True";
      reason = movement(c, notes);
      message =
          String.format(
              "%d of %d instance(s) on revision %s, %d available%s%s",
              c.updated(),
              c.desired(),
              revision,
              c.updatedAvailable(),
              waiting,
              c.doomed() > 0
                  ? String.format("; replacing %d instance(s) AWS will take", c.doomed())
                  : "");
    }
    return Conditions.condition(
        Conditions.PROGRESSING, value, reason, message, generation, now, previous);
  }

  /** Ready and Progressing while instances AWS will take are being replaced. */
  static final String REPLACING_INTERRUPTED = "ReplacingInterrupted";

  /** Progressing=Unknown while a rollout holds at a checkpoint. */
  static final String CHECKPOINT = "Checkpoint";

  private static String checkpointMessage(ServerFleet fleet, CheckpointStatus c, String revision) {
    return String.format(
        "holding at checkpoint %d%% (%d of %d instances on revision %s) %s",
        c.percentage(),
        c.replicas(),
        SpecDefaults.replicas(fleet),
        revision,
        c.resumeAt() != null
            ? "until " + c.resumeAt()
            : "until spec.paused is cleared (kubectl sf rollout resume "
                + fleet.getMetadata().getName()
                + ")");
  }

  /** What a fleet that is moving is doing. */
  private static String movement(Counts c, Plan.Notes notes) {
    if (c.doomed() > 0) {
      return REPLACING_INTERRUPTED;
    }
    if (c.updated() < c.live() || notes.protectedOutdated() > 0) {
      return "RollingOut";
    }
    if (c.live() + c.inFlight() < c.desired()) {
      return "ScalingUp";
    }
    return c.live() > c.desired() ? "ScalingDown" : "Settling";
  }

  /**
   * A copy of the fleet's status with Degraded=True for {@code reason} and the given rollout: what
   * is written when a pass stops on something the regular status cannot say yet.
   */
  static ServerFleetStatus withDegraded(
      ServerFleet fleet,
      String reason,
      String message,
      dev.serverfleet.operator.api.v1alpha1.RolloutStatus rollout,
      Instant now) {
    ServerFleetStatus status =
        fleet.getStatus() == null
            ? new ServerFleetStatus()
            : JSON.unmarshal(JSON.asJson(fleet.getStatus()), ServerFleetStatus.class);
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    List<Condition> conditions = new ArrayList<>(Conditions.orEmpty(status.getConditions()));
    Condition degraded =
        Conditions.condition(
            Conditions.DEGRADED, true, reason, message, generation, now, conditions);
    conditions.removeIf(c -> Conditions.DEGRADED.equals(c.getType()));
    conditions.add(degraded);
    status.setConditions(conditions);
    status.setRollout(rollout);
    return status;
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization JSON =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
}
