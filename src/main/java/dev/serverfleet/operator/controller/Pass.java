package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.Interruptions;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.planning.Revision;
import dev.serverfleet.operator.selection.LaunchResolver;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one pass of {@link FleetLoop} knows before it decides anything: the fleet's instances, what
 * its selectors resolved to, its launch settings and revision, a launch hold, and the planner's
 * input before the rollout rails cap it.
 */
record Pass(
    List<Instance> owned,
    LaunchResolver.Resolved resolved,
    LaunchSettings settings,
    String revision,
    Optional<LaunchHolds.Hold> hold,
    PlanInput unguarded,
    InstanceChecks view) {

  /** The same pass with these instances through their SSM or webhook readiness gate. */
  Pass gatedBy(Set<String> passed) {
    PlanInput input = unguarded.withGatePassed(passed);
    return new Pass(owned, resolved, settings, revision, hold, input, new InstanceChecks(input));
  }

  static Pass of(
      ServerFleet fleet,
      LaunchResolver.Resolved resolved,
      LaunchTemplateGate.Check launchTemplate,
      Observation observed,
      String clusterName,
      PlanInput.Timing timing,
      FailureMemory failures,
      ZoneOfferings zones,
      Instant now) {
    String uid = fleet.getMetadata().getUid();
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    List<Instance> owned =
        observed.all().stream().filter(i -> i.ownedBy(clusterName, uid)).toList();
    LaunchSettings settings =
        SpecDefaults.launchSettings(
            fleet.getSpec().getTemplate(), resolved, launchTemplate.version().orElse(null));
    String revision = Revision.of(settings, SpecDefaults.restartedAt(fleet));
    PlanInput unguarded =
        input(fleet, resolved.subnetIds(), observed, revision, clusterName, timing, failures, now)
            .withInstanceTypes(
                zones.choice(settings, resolved.subnetIds(), failures.offerings(), now))
            .withInterruptions(
                new Interruptions(
                    InterruptionNotices.doomed(fleet, observed.notices()),
                    SpecDefaults.maintenance(fleet),
                    SpecDefaults.healthLaunchFirst(fleet)));
    return new Pass(
        owned,
        resolved,
        settings,
        revision,
        failures.holds().current(uid, generation, now),
        unguarded,
        new InstanceChecks(unguarded));
  }

  /**
   * What the planner decides on: the fleet's instances as the last sweep showed them, and the
   * subnets as given or selected (an instance in a subnet no longer among them is drained).
   */
  private static PlanInput input(
      ServerFleet fleet,
      List<String> subnetIds,
      Observation observed,
      String revision,
      String clusterName,
      PlanInput.Timing timing,
      FailureMemory failures,
      Instant now) {
    String uid = fleet.getMetadata().getUid();
    List<Instance> swept =
        observed.swept().stream().filter(i -> i.ownedBy(clusterName, uid)).toList();
    List<Intent> recorded =
        fleet.getStatus() == null
            ? List.of()
            : fleet.getStatus().getLaunchIntents().stream().map(StatusBuilder::intent).toList();
    return new PlanInput(
            SpecDefaults.replicas(fleet),
            subnetIds,
            revision,
            clusterName,
            uid,
            swept,
            recorded,
            failures.avoidance().avoided(uid, now),
            now,
            timing,
            SpecDefaults.policy(fleet),
            StatusBuilder.readySince(fleet))
        .withDraining(DrainStage.recorded(fleet));
  }
}
