package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a fleet's rollout stands, in the words of kubectl's deployment status viewer, as a pure
 * function of the fleet. The rows, first match wins:
 *
 * <ol>
 *   <li>status.observedGeneration below metadata.generation: the spec update is not yet observed;
 *   <li>Degraded=True reason AutoRolledBack: failed, the operator rolled the fleet back;
 *   <li>Progressing=False reason ProgressDeadlineExceeded: failed;
 *   <li>status.rollout.checkpoint: holding at a checkpoint, until resumeAt or until spec.paused is
 *       cleared;
 *   <li>updatedReplicas below spec.replicas: new replicas being updated;
 *   <li>replicas above updatedReplicas: old replicas pending termination;
 *   <li>availableReplicas below updatedReplicas: updated replicas becoming available;
 *   <li>otherwise done: successfully rolled out.
 * </ol>
 */
final class RolloutStatusViewer {
  static final String AUTO_ROLLED_BACK = "AutoRolledBack";
  static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  /** A line to show; {@code done} ends the wait, {@code failed} with exit code 1. */
  record Verdict(String message, boolean done, boolean failed) {
    static Verdict waiting(String message) {
      return new Verdict(message, false, false);
    }

    static Verdict failure(String message) {
      return new Verdict(message, true, true);
    }
  }

  private RolloutStatusViewer() {}

  static Verdict view(ServerFleet fleet) {
    String name = fleet.getMetadata().getName();
    ServerFleetStatus status =
        fleet.getStatus() != null ? fleet.getStatus() : new ServerFleetStatus();
    long generation = orZero(fleet.getMetadata().getGeneration());
    if (orZero(status.getObservedGeneration()) < generation) {
      return Verdict.waiting("Waiting for serverfleet spec update to be observed...");
    }
    Optional<Condition> rolledBack = condition(status, "Degraded", "True", AUTO_ROLLED_BACK);
    if (rolledBack.isPresent()) {
      return Verdict.failure(
          "serverfleet \""
              + name
              + "\" was rolled back: "
              + rollbackReason(status, rolledBack.get()));
    }
    if (condition(status, "Progressing", "False", DEADLINE_EXCEEDED).isPresent()) {
      return Verdict.failure("serverfleet \"" + name + "\" exceeded its progress deadline");
    }
    String waiting = "Waiting for serverfleet \"" + name + "\" rollout to finish: ";
    CheckpointStatus checkpoint =
        status.getRollout() != null ? status.getRollout().checkpoint() : null;
    if (checkpoint != null) {
      return Verdict.waiting(waiting + checkpoint(checkpoint, fleet, name));
    }
    int desired = orZero(fleet.getSpec() != null ? fleet.getSpec().getReplicas() : null);
    int replicas = orZero(status.getReplicas());
    int updated = orZero(status.getUpdatedReplicas());
    int available = orZero(status.getAvailableReplicas());
    if (updated < desired) {
      return Verdict.waiting(
          waiting + updated + " out of " + desired + " new replicas have been updated...");
    }
    if (replicas > updated) {
      return Verdict.waiting(
          waiting + (replicas - updated) + " old replicas are pending termination...");
    }
    if (available < updated) {
      return Verdict.waiting(
          waiting + available + " of " + updated + " updated replicas are available...");
    }
    return new Verdict("serverfleet \"" + name + "\" successfully rolled out", true, false);
  }

  private static String checkpoint(CheckpointStatus checkpoint, ServerFleet fleet, String name) {
    int desired = orZero(fleet.getSpec() != null ? fleet.getSpec().getReplicas() : null);
    int onNew =
        checkpoint.replicas() != null
            ? checkpoint.replicas()
            : orZero(fleet.getStatus().getUpdatedReplicas());
    String until =
        checkpoint.resumeAt() != null
            ? checkpoint.resumeAt()
            : "spec.paused is cleared (kubectl sf rollout resume " + name + ")";
    return "holding at checkpoint "
        + orZero(checkpoint.percentage())
        + "% ("
        + onNew
        + " of "
        + desired
        + " instances on the new revision) until "
        + until
        + "...";
  }

  private static String rollbackReason(ServerFleetStatus status, Condition condition) {
    if (condition.getMessage() != null && !condition.getMessage().isBlank()) {
      return condition.getMessage();
    }
    if (status.getRollout() != null && status.getRollout().rolledBack() != null) {
      return Objects.toString(status.getRollout().rolledBack().reason(), AUTO_ROLLED_BACK);
    }
    return AUTO_ROLLED_BACK;
  }

  private static Optional<Condition> condition(
      ServerFleetStatus status, String type, String value, String reason) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .filter(c -> value.equals(c.getStatus()) && reason.equals(c.getReason()))
        .findFirst();
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
