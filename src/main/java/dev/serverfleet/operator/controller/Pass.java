package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.planning.Revision;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one pass of {@link FleetLoop} knows before it decides anything: the fleet's instances, its
 * launch settings and revision, a launch hold, and the planner's input before the rollout rails cap
 * it.
 */
record Pass(
    List<Instance> owned,
    LaunchSettings settings,
    String revision,
    Optional<LaunchHolds.Hold> hold,
    PlanInput unguarded,
    InstanceChecks view) {

  static Pass of(
      ServerFleet fleet,
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
            fleet.getSpec().getTemplate(), launchTemplate.version().orElse(null));
    String revision = Revision.of(settings, SpecDefaults.restartedAt(fleet));
    PlanInput unguarded =
        input(fleet, observed, revision, clusterName, timing, failures, now)
            .withInstanceTypes(
                zones.choice(settings, SpecDefaults.subnetIds(fleet), failures.offerings(), now));
    return new Pass(
        owned,
        settings,
        revision,
        failures.holds().current(uid, generation, now),
        unguarded,
        new InstanceChecks(unguarded));
  }

  /** What the planner decides on: the fleet's instances as the last sweep showed them. */
  private static PlanInput input(
      ServerFleet fleet,
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
            SpecDefaults.subnetIds(fleet),
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
