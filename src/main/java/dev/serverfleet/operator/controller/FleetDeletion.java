package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.Intent;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a fleet's instances when the fleet is deleted: every instance known to be the
 * fleet's — observed, acknowledged by RunInstances, or found by the launch tag of an intent whose
 * outcome is unknown — is terminated (Delete) or stripped of its ownership tags (Retain). Known
 * instances are never waited for: the finalizer goes as soon as TerminateInstances has accepted
 * them (shutting-down), in one call for up to 1,000 instances. An instance that surfaces only after
 * the fleet is gone (a launch EC2 showed late) is the orphan collector's to terminate.
 *
 * <p>Each instance is terminated once: one the observation shows shutting-down or terminated (a
 * termination this operator requested, as the cache remembers it, or one EC2 showed) is not sent
 * again, whether an intent names it or a cleanup runs again because the finalizer's removal failed.
 */
final class FleetDeletion {
  private static final Logger log = LoggerFactory.getLogger(FleetDeletion.class);

  /**
   * @param retryIn empty when the fleet may go, else when to try again
   */
  record Result(Optional<Duration> retryIn, Optional<String> failure) {}

  private final Ec2Port ec2;
  private final String clusterName;
  private final FleetEvents events;
  private final FleetMetrics metrics;
  private final FailureMemory failures;

  FleetDeletion(
      Ec2Port ec2,
      String clusterName,
      FleetEvents events,
      FleetMetrics metrics,
      FailureMemory failures) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.events = events;
    this.metrics = metrics;
    this.failures = failures;
  }

  Result run(ServerFleet fleet, Observation observed, FleetActions.Observer cache) {
    return Ec2RateLimits.callingAs(fleet.fleetKey(), () -> delete(fleet, observed, cache));
  }

  private Result delete(ServerFleet fleet, Observation observed, FleetActions.Observer cache) {
    String uid = fleet.getMetadata().getUid();
    Set<String> ids = new LinkedHashSet<>();
    observed.all().stream()
        .filter(i -> i.ownedBy(clusterName, uid) && !i.state().isGone())
        .forEach(i -> ids.add(i.id()));
    Set<String> going =
        observed.all().stream()
            .filter(i -> i.state().isGone())
            .map(Instance::id)
            .collect(Collectors.toSet());
    List<Intent> intents =
        fleet.getStatus() == null
            ? List.of()
            : fleet.getStatus().getLaunchIntents().stream().map(StatusBuilder::intent).toList();
    try {
      for (Intent intent : intents) {
        ids.addAll(intent.instanceIds());
        if (intent.state() != Intent.State.ACKNOWLEDGED) {
          ec2.describeLaunch(clusterName, intent.token()).stream()
              .filter(i -> i.ownedBy(clusterName, uid) && !i.state().isGone())
              .forEach(i -> ids.add(i.id()));
        }
      }
      ids.removeAll(going);
      if (!ids.isEmpty()) {
        release(fleet, List.copyOf(ids), cache);
      }
    } catch (CloudException e) {
      String what =
          (SpecDefaults.deletionPolicy(fleet.getSpec()) == DeletionPolicy.Retain
                  ? "releasing"
                  : "terminating")
              + " the fleet's instances failed ("
              + e.code()
              + "): "
              + e.getMessage();
      log.warn("{}: {}", fleet.fleetKey(), what);
      events.warning(fleet, "DeletionFailed", what);
      return new Result(Optional.of(failures.retries().failed(uid)), Optional.of(what));
    }
    failures.forget(uid);
    metrics.forget(fleet);
    return new Result(Optional.empty(), Optional.empty());
  }

  private void release(ServerFleet fleet, List<String> ids, FleetActions.Observer cache) {
    if (SpecDefaults.deletionPolicy(fleet.getSpec()) == DeletionPolicy.Retain) {
      ec2.untag(ids, OwnershipTags.OWNERSHIP_KEYS);
      events.normal(
          fleet,
          "Released",
          "Released "
              + ids.size()
              + " instance(s) (deletionPolicy Retain): "
              + String.join(", ", ids));
      return;
    }
    ec2.terminate(ids);
    ids.forEach(cache::terminating);
    metrics.terminated(fleet, ids.size(), "deleted");
    events.normal(
        fleet,
        "Terminated",
        "Terminated " + ids.size() + " instance(s) (fleet deleted): " + String.join(", ", ids));
  }
}
