package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Where the rollout of the current revision stands: its number in the fleet's history
 * (ControllerRevisions), the last revision that completed, the checkpoint it holds at, and the last
 * automatic rollback.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutStatus(
    @JsonPropertyDescription(
            "Number of the current revision in the fleet's history (the ControllerRevision "
                + "<fleet>-<hash>), as kubectl sf rollout history lists it.")
        Long revision,
    @JsonPropertyDescription(
            "Hash of the last revision whose rollout completed (every replica on it and "
                + "available): what an automatic rollback returns to.")
        String completeRevision,
    @JsonPropertyDescription("Highest checkpoint percentage the current rollout has passed.")
        Integer passedCheckpoint,
    @JsonPropertyDescription("The checkpoint the rollout holds at, while it holds.")
        CheckpointStatus checkpoint,
    @JsonPropertyDescription(
            "The last automatic rollback, while the fleet runs what it returned to.")
        RollbackStatus rolledBack) {

  /** A checkpoint reached: how far, since when, and until when. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CheckpointStatus(
      @JsonPropertyDescription("The checkpoint's percentage of replicas.") Integer percentage,
      @JsonPropertyDescription("Instances on the new revision the checkpoint stands for.")
          Integer replicas,
      @JsonPropertyDescription("When the checkpoint was reached (RFC 3339).") String reachedAt,
      @JsonPropertyDescription(
              "When the rollout goes on (RFC 3339); absent while it waits for spec.paused to be "
                  + "cleared.")
          String resumeAt) {}

  /** An automatic rollback: from which revision to which, and why. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RollbackStatus(
      @JsonPropertyDescription("Revision rolled back from (hash).") String from,
      @JsonPropertyDescription("Its number in the history.") Long fromNumber,
      @JsonPropertyDescription("Revision rolled back to (hash).") String to,
      @JsonPropertyDescription("Its number in the history.") Long toNumber,
      @JsonPropertyDescription("Why.") String reason,
      @JsonPropertyDescription("When (RFC 3339).") String at) {}
}
