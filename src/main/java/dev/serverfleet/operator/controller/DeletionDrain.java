package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Drain;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deleting a fleet with {@code lifecycle.preTerminate} and deletionPolicy Delete: every running
 * instance is drained through {@link DrainStage} and terminated as its drain ends, before {@link
 * FleetDeletion} does the rest (instances not running, launches of unknown outcome). The finalizer
 * stays while any drain runs, and while one is abandoned: a person decides, as for any abandoned
 * drain.
 */
final class DeletionDrain {
  static final String REASON = "FleetDeleted";

  /**
   * @param retryIn when to look again
   * @param failure what to report as Degraded, if anything
   */
  record Waiting(Duration retryIn, Optional<String> failure) {}

  private final Ec2Port ec2;
  private final String clusterName;
  private final FleetEvents events;
  private final FleetMetrics metrics;

  DeletionDrain(Ec2Port ec2, String clusterName, FleetEvents events, FleetMetrics metrics) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.events = events;
    this.metrics = metrics;
  }

  /** Empty when no drain holds the deletion any more (or none applies). */
  Optional<Waiting> run(
      ServerFleet fleet,
      Observation observed,
      DrainStage drains,
      FleetLoop.StatusWriter writer,
      FleetActions.Observer cache,
      Instant now) {
    boolean stored = !DrainStage.stored(fleet).isEmpty();
    if (SpecDefaults.deletionPolicy(fleet.getSpec()) == DeletionPolicy.Retain
        || (!DrainStage.drains(fleet) && !stored)) {
      return Optional.empty();
    }
    String uid = fleet.getMetadata().getUid();
    List<Instance> owned =
        observed.all().stream().filter(i -> i.ownedBy(clusterName, uid)).toList();
    Set<String> draining = DrainStage.recorded(fleet);
    Map<String, String> decided = new LinkedHashMap<>();
    owned.stream()
        .filter(i -> i.state() == InstanceState.RUNNING && !draining.contains(i.id()))
        .forEach(i -> decided.put(i.id(), REASON));
    DrainStage.Result r = drains.run(fleet, owned, decided, now);
    List<String> ready = r.ready().stream().map(Drain::instanceId).toList();
    List<String> terminated = List.of();
    Optional<String> failure = r.degraded().map(StatusBuilder.Degradation::message);
    if (!ready.isEmpty()) {
      try {
        ec2.terminate(ready);
        ready.forEach(cache::terminating);
        terminated = ready;
        metrics.terminated(fleet, ready.size(), "deleted");
        events.normal(
            fleet,
            "Terminated",
            "Terminated "
                + ready.size()
                + " drained instance(s) (fleet deleted): "
                + String.join(", ", ready));
      } catch (CloudException e) {
        failure = Optional.of("TerminateInstances failed (" + e.code() + "): " + e.getMessage());
      }
    }
    record(fleet, DrainRecords.after(r, terminated), failure, writer, now);
    boolean waiting = !r.holding().isEmpty() || !ready.isEmpty();
    return waiting
        ? Optional.of(new Waiting(r.pollIn().orElse(DrainStage.POLL), failure))
        : Optional.empty();
  }

  private static void record(
      ServerFleet fleet,
      List<DrainStatus> draining,
      Optional<String> failure,
      FleetLoop.StatusWriter writer,
      Instant now) {
    ServerFleetStatus before = fleet.getStatus();
    ServerFleetStatus status =
        failure.isPresent()
            ? FleetConditions.withDegraded(
                fleet,
                "DrainAbandoned",
                failure.get(),
                before == null ? null : before.getRollout(),
                now)
            : copy(before);
    status.setDraining(draining);
    if (!status.equals(before)) {
      writer.write(fleet, status);
    }
  }

  private static ServerFleetStatus copy(ServerFleetStatus status) {
    return status == null
        ? new ServerFleetStatus()
        : JSON.unmarshal(JSON.asJson(status), ServerFleetStatus.class);
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization JSON =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
}
