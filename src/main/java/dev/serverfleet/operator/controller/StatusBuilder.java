package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.InstanceState;
import dev.serverfleet.operator.cloud.OwnershipTags;
import dev.serverfleet.operator.planning.Intent;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Derives a fleet's status from what EC2 shows. Pure: the same observation gives an equal status,
 * which is what lets the reconciler skip writes when nothing changed.
 */
final class StatusBuilder {

  /** Why the fleet is degraded, or empty when it is not. */
  record Degradation(String reason, String message) {}

  private StatusBuilder() {}

  static ServerFleetStatus build(ServerFleet fleet, String revision, List<Instance> owned, List<Intent> intents,
      Optional<Degradation> degraded, Instant now) {
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    int desired = FleetSpecs.replicas(fleet);
    List<Instance> present = owned.stream()
        .filter(i -> !i.state().isGone())
        .sorted(Comparator.comparing((Instance i) -> i.launchTime() == null ? Instant.MAX : i.launchTime())
            .thenComparing(Instance::id))
        .toList();
    int live = (int) present.stream().filter(i -> i.state().isLive()).count();
    int ready = (int) present.stream().filter(i -> i.state() == InstanceState.RUNNING).count();
    int updated = (int) present.stream()
        .filter(i -> i.state().isLive() && revision.equals(i.tag(OwnershipTags.REVISION)))
        .count();
    int inFlight = intents.stream().mapToInt(Intent::count).sum();

    ServerFleetStatus status = new ServerFleetStatus();
    status.setObservedGeneration(generation);
    status.setReplicas(live);
    status.setReadyReplicas(ready);
    status.setAvailableReplicas(ready);
    status.setUpdatedReplicas(updated);
    status.setSelector(OwnershipTags.FLEET + "=" + fleet.getMetadata().getNamespace() + "." + fleet.getMetadata().getName());
    status.setCurrentRevision(revision);
    status.setInstances(present.stream().map(StatusBuilder::instanceStatus).toList());
    status.setLaunchIntents(intents.stream().map(StatusBuilder::launchIntent).toList());

    List<Condition> previous = Conditions.orEmpty(fleet.getStatus() == null ? null : fleet.getStatus().getConditions());
    boolean allReady = ready == desired && live == desired && updated == desired && inFlight == 0;
    String readyReason;
    String readyMessage;
    if (allReady) {
      readyReason = "AllInstancesReady";
      readyMessage = ready + " of " + desired + " instances running";
    } else if (live + inFlight < desired) {
      readyReason = "ScalingUp";
      readyMessage = ready + " of " + desired + " instances running, " + inFlight + " launching";
    } else if (live > desired) {
      readyReason = "ScalingDown";
      readyMessage = live + " instances for " + desired + " desired, terminating the excess";
    } else if (updated < live) {
      readyReason = "OutdatedInstances";
      readyMessage = (live - updated) + " instances run an older template revision than " + revision;
    } else {
      readyReason = "InstancesNotReady";
      readyMessage = ready + " of " + desired + " instances running";
    }
    Condition readyCondition = Conditions.condition(Conditions.READY, allReady, readyReason, readyMessage,
        generation, now, previous);
    Condition degradedCondition = degraded
        .map(d -> Conditions.condition(Conditions.DEGRADED, true, d.reason(), d.message(), generation, now, previous))
        .orElseGet(() -> Conditions.condition(Conditions.DEGRADED, false, "AsExpected",
            "EC2 calls succeed", generation, now, previous));
    status.setConditions(List.of(readyCondition, degradedCondition));
    return status;
  }

  static InstanceStatus instanceStatus(Instance i) {
    return new InstanceStatus(i.id(), i.state().ec2Name(), i.tag(OwnershipTags.REVISION), i.subnetId(), i.zone(),
        i.privateIp(), i.launchTime() == null ? null : i.launchTime().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  static LaunchIntent launchIntent(Intent i) {
    return new LaunchIntent(i.token(), i.subnetId(), i.count(), i.revision(),
        i.createdAt().truncatedTo(ChronoUnit.MILLIS).toString());
  }

  static Intent intent(LaunchIntent i) {
    return new Intent(i.token(), i.subnetId(), i.count() == null ? 1 : i.count(), i.revision(),
        i.createdAt() == null ? Instant.EPOCH : Instant.parse(i.createdAt()));
  }
}
