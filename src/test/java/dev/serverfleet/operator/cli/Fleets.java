package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.RollbackStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;

/** Fleets in the states the status viewer tells apart, built in one line each. */
final class Fleets {
  private long generation = 1;
  private Long observed = 1L;
  private int desired = 3;
  private int replicas = 3;
  private int updated = 3;
  private int available = 3;
  private CheckpointStatus checkpoint;
  private RollbackStatus rolledBack;
  private final List<Condition> conditions = new ArrayList<>();
  private boolean noStatus;

  static Fleets web() {
    return new Fleets();
  }

  Fleets generation(long generation, Long observed) {
    this.generation = generation;
    this.observed = observed;
    return this;
  }

  Fleets counts(int desired, int replicas, int updated, int available) {
    this.desired = desired;
    this.replicas = replicas;
    this.updated = updated;
    this.available = available;
    return this;
  }

  Fleets checkpoint(int percentage, Integer onNew, String resumeAt) {
    this.checkpoint = new CheckpointStatus(percentage, onNew, "2025-12-01T10:00:00Z", resumeAt);
    return this;
  }

  Fleets rolledBack(String reason) {
    this.rolledBack = new RollbackStatus("bbb", 3L, "aaa", 2L, reason, "2025-12-01T10:10:00Z");
    return this;
  }

  Fleets condition(String type, String status, String reason, String message) {
    conditions.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message)
            .build());
    return this;
  }

  Fleets noStatus() {
    this.noStatus = true;
    return this;
  }

  ServerFleet build() {
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withName("web").withGeneration(generation).build());
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(desired);
    fleet.setSpec(spec);
    if (noStatus) {
      return fleet;
    }
    ServerFleetStatus status = new ServerFleetStatus();
    status.setObservedGeneration(observed);
    status.setReplicas(replicas);
    status.setUpdatedReplicas(updated);
    status.setAvailableReplicas(available);
    status.setConditions(new ArrayList<>(conditions));
    if (checkpoint != null || rolledBack != null) {
      status.setRollout(new RolloutStatus(2L, null, null, checkpoint, rolledBack));
    }
    fleet.setStatus(status);
    return fleet;
  }
}
