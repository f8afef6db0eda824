package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.cloud.OwnershipTags;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.Launch;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.Termination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The act step: carries out a plan through the EC2 port, one RunInstances per subnet and one
 * batched TerminateInstances, and turns each failure into what the next reconcile needs to know.
 */
final class FleetActions {

  /**
   * @param launched instances RunInstances returned, to be cached before the next poll
   * @param terminated ids TerminateInstances accepted
   * @param intents the intents still in flight after the calls: those whose call certainly failed
   *     are dropped, those whose outcome is unknown stay to be retried with their token
   * @param degraded a terminal failure to report, if any
   * @param retryIn when the fleet should be looked at again because something retryable failed
   */
  record Outcome(List<Instance> launched, List<String> terminated, List<Intent> intents,
      Optional<Degradation> degraded, Optional<Duration> retryIn) {}

  private final Ec2Port ec2;
  private final String clusterName;
  private final FleetEvents events;
  private final FleetMetrics metrics;
  private final FleetBackoff backoff;

  FleetActions(Ec2Port ec2, String clusterName, FleetEvents events, FleetMetrics metrics, FleetBackoff backoff) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.events = events;
    this.metrics = metrics;
    this.backoff = backoff;
  }

  /**
   * @param known ids of the instances already observed: a retried launch that returns them is
   *     not counted or announced as a launch again
   */
  Outcome apply(ServerFleet fleet, Plan plan, LaunchSettings settings, Instant now, Set<String> known,
      Consumer<Instance> onLaunched) {
    String uid = fleet.getMetadata().getUid();
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    List<Instance> launched = new ArrayList<>();
    List<String> terminated = new ArrayList<>();
    List<Intent> intents = new ArrayList<>(plan.intents());
    Optional<Degradation> degraded = Optional.empty();
    Optional<Duration> retryIn = Optional.empty();

    for (Launch launch : plan.launches()) {
      try {
        List<Instance> instances = ec2.runInstances(request(fleet, launch, settings));
        List<String> ids = instances.stream().map(Instance::id).toList();
        intents.replaceAll(i -> i.token().equals(launch.token()) ? i.answered(ids) : i);
        instances.forEach(onLaunched);
        launched.addAll(instances);
        backoff.succeeded(uid);
        // A retry that returns what an earlier call already answered launched nothing new.
        Set<String> answered = plan.intents().stream().filter(i -> i.token().equals(launch.token()))
            .flatMap(i -> i.instanceIds().stream()).collect(Collectors.toSet());
        List<Instance> fresh = instances.stream()
            .filter(i -> !known.contains(i.id()) && !answered.contains(i.id())).toList();
        if (!fresh.isEmpty()) {
          metrics.launched(fleet, fresh.size());
          events.normal(fleet, "Launched", "Launched " + fresh.size() + " instance(s) in " + launch.subnetId()
              + ": " + fresh.stream().map(Instance::id).collect(Collectors.joining(", "))
              + (launch.retry() ? " (retried launch " + launch.token() + ")" : ""));
        }
      } catch (CloudException e) {
        if (e.certainlyFailed()) {
          intents.removeIf(i -> i.token().equals(launch.token()));
        }
        String what = "RunInstances in " + launch.subnetId() + " failed (" + e.code() + "): " + e.getMessage();
        events.warning(fleet, "LaunchFailed", what);
        if (e.errorClass() == ErrorClass.TERMINAL) {
          backoff.holdLaunches(uid, generation, now, "LaunchFailed", what);
          degraded = Optional.of(new Degradation("LaunchFailed", what));
        } else {
          if (e.errorClass() == ErrorClass.INSUFFICIENT_CAPACITY) {
            backoff.avoidSubnet(uid, launch.subnetId(), now);
          }
          retryIn = earliest(retryIn, e.errorClass() == ErrorClass.INSUFFICIENT_CAPACITY
              ? FleetBackoff.RETRY_BASE : backoff.failed(uid));
        }
      }
    }

    Map<Termination.Reason, List<String>> byReason = new HashMap<>();
    plan.terminations().forEach(t -> byReason.computeIfAbsent(t.reason(), r -> new ArrayList<>()).add(t.instanceId()));
    for (Map.Entry<Termination.Reason, List<String>> e : byReason.entrySet()) {
      String reason = switch (e.getKey()) {
        case STOPPED -> "stopped, replacing";
        case UNHEALTHY -> "failing status checks, replacing";
        case ROLLOUT -> "replaced by the current revision";
        case SCALE_IN -> "scale-in";
      };
      try {
        ec2.terminate(e.getValue());
        terminated.addAll(e.getValue());
        metrics.terminated(fleet, e.getValue().size(), e.getKey().name().toLowerCase(java.util.Locale.ROOT));
        events.normal(fleet, "Terminated", "Terminated " + e.getValue().size() + " instance(s) (" + reason + "): "
            + String.join(", ", e.getValue()));
      } catch (CloudException ex) {
        String what = "TerminateInstances failed (" + ex.code() + "): " + ex.getMessage();
        events.warning(fleet, "TerminateFailed", what);
        if (ex.errorClass() == ErrorClass.TERMINAL) {
          degraded = Optional.of(new Degradation("TerminateFailed", what));
        }
        retryIn = earliest(retryIn, backoff.failed(uid));
      }
    }
    return new Outcome(launched, terminated, intents, degraded, retryIn);
  }

  private LaunchRequest request(ServerFleet fleet, Launch launch, LaunchSettings s) {
    Map<String, String> tags = new HashMap<>(s.tags());
    tags.put(OwnershipTags.NAME, fleet.getMetadata().getName() + "-" + launch.revision());
    tags.put(OwnershipTags.CLUSTER, clusterName);
    tags.put(OwnershipTags.FLEET, fleet.fleetKey());
    tags.put(OwnershipTags.FLEET_UID, fleet.getMetadata().getUid());
    tags.put(OwnershipTags.REVISION, launch.revision());
    tags.put(OwnershipTags.LAUNCH, launch.token());
    return new LaunchRequest(launch.token(), launch.subnetId(), launch.count(), s.amiId(), s.instanceType(),
        s.securityGroupIds(), s.keyName(), s.iamInstanceProfile(), s.userData(), s.spot(), s.httpTokensRequired(),
        s.httpPutResponseHopLimit(), tags);
  }

  private static Optional<Duration> earliest(Optional<Duration> current, Duration candidate) {
    return Optional.of(current.filter(c -> c.compareTo(candidate) <= 0).orElse(candidate));
  }
}
