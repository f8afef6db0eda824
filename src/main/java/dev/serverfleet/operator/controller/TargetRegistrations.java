package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.LoadBalancer;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.TargetGroups;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.TargetState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The load balancer's side of a pass, for fleets with spec.loadBalancer: one DescribeTargetHealth
 * per target group for all the fleet's running instances (never one per instance), a
 * RegisterTargets for those a group does not hold yet, and, with healthCheck.type ELB, each
 * instance's health set to its target health across the groups ({@link TargetState#fold}), which
 * the planner then reads as it reads EC2 status checks (readiness, replacement after the grace
 * period). Instances in status.draining are neither asked about nor registered again.
 *
 * <p>A failed call fails nothing else: the instances of that group are of {@link Health#UNKNOWN}
 * health (not ready, never replaced for it) and the failure is returned for the Degraded condition.
 */
final class TargetRegistrations {
  static final String REASON = "TargetGroupsFailed";

  /**
   * How often a fleet with a load balancer is looked at when nothing else wakes it: target health
   * (and a target deregistered by someone else) is no Kubernetes or EC2 event.
   */
  static final Duration RECHECK = Duration.ofSeconds(15);

  /**
   * @param observed the observation with target health in place of EC2 health (ELB fleets)
   * @param failure what failed, for Degraded
   */
  record Seen(Observation observed, Optional<String> failure) {}

  private final TargetGroups targetGroups;
  private final FleetEvents events;

  TargetRegistrations(TargetGroups targetGroups, FleetEvents events) {
    this.targetGroups = targetGroups;
    this.events = events;
  }

  Seen observe(ServerFleet fleet, Observation observed, String clusterName) {
    Optional<LoadBalancer> lb = Deregistrations.loadBalancer(fleet);
    if (lb.isEmpty()) {
      return new Seen(observed, Optional.empty());
    }
    String uid = fleet.getMetadata().getUid();
    Set<String> draining = DrainStage.recorded(fleet);
    List<String> running =
        observed.all().stream()
            .filter(i -> i.ownedBy(clusterName, uid))
            .filter(i -> i.state() == InstanceState.RUNNING && !draining.contains(i.id()))
            .map(Instance::id)
            .distinct()
            .toList();
    if (running.isEmpty()) {
      return new Seen(observed, Optional.empty());
    }
    Map<String, List<TargetState>> states = new HashMap<>();
    Optional<String> failure = Optional.empty();
    for (String arn : lb.get().getTargetGroupArns()) {
      try {
        Map<String, TargetState> inGroup = targetGroups.health(arn, running);
        List<String> missing =
            running.stream()
                .filter(id -> !inGroup.getOrDefault(id, TargetState.NOT_REGISTERED).registered())
                .toList();
        if (!missing.isEmpty()) {
          targetGroups.register(arn, missing, lb.get().getPort());
          missing.forEach(id -> inGroup.put(id, TargetState.INITIAL));
          events.normal(
              fleet,
              "Registered",
              "Registered " + String.join(", ", missing) + " in target group " + arn);
        }
        running.forEach(
            id -> states.computeIfAbsent(id, k -> new ArrayList<>()).add(inGroup.get(id)));
      } catch (CloudException e) {
        // health unknown in this group: the fold below leaves these instances UNKNOWN
        running.forEach(id -> states.computeIfAbsent(id, k -> new ArrayList<>()).add(null));
        failure = Optional.of(e.operation() + " failed (" + e.code() + "): " + e.getMessage());
      }
    }
    if (!elbHealth(fleet)) {
      return new Seen(observed, failure);
    }
    Map<String, Health> health = new HashMap<>();
    states.forEach(
        (id, list) ->
            health.put(id, list.contains(null) ? Health.UNKNOWN : TargetState.fold(list)));
    return new Seen(
        new Observation(with(observed.swept(), health), with(observed.launched(), health)),
        failure);
  }

  static Optional<Duration> recheck(ServerFleet fleet) {
    return Deregistrations.loadBalancer(fleet).isPresent()
        ? Optional.of(RECHECK)
        : Optional.empty();
  }

  static boolean elbHealth(ServerFleet fleet) {
    return fleet.getSpec().getHealthCheck() != null
        && fleet.getSpec().getHealthCheck().getType() == HealthCheckType.ELB;
  }

  private static List<Instance> with(List<Instance> instances, Map<String, Health> health) {
    return instances.stream()
        .map(i -> health.containsKey(i.id()) ? i.withHealth(health.get(i.id())) : i)
        .toList();
  }
}
