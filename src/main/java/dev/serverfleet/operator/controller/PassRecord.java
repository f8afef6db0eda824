package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.api.v1alpha1.UnavailableOffering;
import dev.serverfleet.operator.controller.FleetLoop.StatusWriter;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record step of a {@link FleetLoop} pass: the status written before any RunInstances leaves
 * (the launch intents), the status after the calls, and the one event a passed progress deadline
 * raises. Every stage of the pass (gates, drains, selectors, launch templates, target groups, the
 * rollout rails) leaves its part of the status here, so that both writes show the same fleet.
 */
final class PassRecord {
  private final RolloutSafety safety;
  private final FailureMemory failures;
  private final ZoneOfferings zones;
  private final FleetEvents events;

  PassRecord(
      RolloutSafety safety, FailureMemory failures, ZoneOfferings zones, FleetEvents events) {
    this.safety = safety;
    this.failures = failures;
    this.zones = zones;
    this.events = events;
  }

  /**
   * The status with the pass's launch intents, written before any RunInstances leaves (the fleet as
   * stored); the fleet as it was when there is nothing to launch. Degraded is decided after the
   * calls; until then the stored condition stands.
   */
  ServerFleet intentsFirst(
      ServerFleet fleet,
      Pass pass,
      RolloutSafety.Step step,
      Plan plan,
      DrainStage.Result drained,
      GateStage.Result gated,
      StatusWriter writer,
      Instant now) {
    ServerFleet current = step.fleet();
    if (plan.newLaunches().isEmpty()) {
      return current;
    }
    ServerFleetStatus status =
        StatusBuilder.build(
            current,
            pass.revision(),
            pass.view(),
            pass.owned(),
            plan.intents(),
            degradation(pass.hold()).or(() -> storedDegradation(fleet)),
            plan.notes(),
            step.rollout(),
            now);
    status.setUnavailableOfferings(unavailableOfferings(current, pass, now));
    status.setDraining(drained.drains().stream().map(DrainRecords::status).toList());
    status.setGates(gated.gates());
    status.setLaunchTemplate(LaunchTemplateGate.status(pass.settings()));
    SelectorSteps.stamp(status, pass.resolved());
    return writer.write(current, status);
  }

  /**
   * The status after the pass; the first reason for Degraded wins: the class, a rollback that
   * cannot be made, EC2's refusal, a launch hold, then a rollback the fleet runs on.
   */
  ServerFleetStatus status(
      ServerFleet current,
      Pass pass,
      RolloutSafety.Step step,
      Plan plan,
      ClassPolicy.Verdict policy,
      FleetActions.Outcome outcome,
      DrainStage.Result drained,
      GateStage.Result gated,
      TargetRegistrations.Seen targets,
      List<Instance> instances,
      Instant now) {
    Optional<Degradation> degraded =
        policy
            .refusal()
            .map(m -> new Degradation(ClassPolicy.REASON, m))
            .or(step::degraded)
            .or(outcome::degraded)
            .or(drained::degraded)
            .or(() -> targets.failure().map(m -> new Degradation(TargetRegistrations.REASON, m)))
            .or(() -> degradation(pass.hold()))
            .or(step::notice);
    ServerFleetStatus status =
        StatusBuilder.build(
            current,
            pass.revision(),
            pass.view(),
            instances,
            outcome.intents(),
            degraded,
            plan.notes(),
            step.rollout(),
            now);
    status.setRollout(safety.completed(current, pass.revision(), status, step.rollout(), now));
    status.setClassName(policy.className());
    status.setLaunchTemplate(LaunchTemplateGate.status(pass.settings()));
    status.setUnavailableOfferings(unavailableOfferings(current, pass, now));
    status.setDraining(DrainRecords.after(drained, outcome.terminated()));
    status.setGates(gated.gates());
    SelectorSteps.stamp(status, pass.resolved());
    return status;
  }

  /** The fleet's offerings avoided after this pass's launches. */
  private List<UnavailableOffering> unavailableOfferings(
      ServerFleet fleet, Pass pass, Instant now) {
    var shortages = failures.offerings().current(now);
    var choice =
        zones.choice(pass.settings(), SpecDefaults.subnetIds(fleet), failures.offerings(), now);
    return OfferingStatus.of(choice, shortages);
  }

  /**
   * One Warning event when a rollout passes its progress deadline, like a Deployment's. Returns
   * whether it passed in this pass.
   */
  boolean announceDeadline(ServerFleet fleet, ServerFleetStatus status) {
    boolean before = fleet.getStatus() != null && exceeded(fleet.getStatus());
    if (!before && exceeded(status)) {
      status.getConditions().stream()
          .filter(c -> Conditions.PROGRESSING.equals(c.getType()))
          .findFirst()
          .ifPresent(c -> events.warning(fleet, Conditions.DEADLINE_EXCEEDED, c.getMessage()));
      return true;
    }
    return false;
  }

  private static boolean exceeded(ServerFleetStatus status) {
    return status.getConditions().stream()
        .anyMatch(
            c ->
                Conditions.PROGRESSING.equals(c.getType())
                    && Conditions.DEADLINE_EXCEEDED.equals(c.getReason()));
  }

  private static Optional<Degradation> storedDegradation(ServerFleet fleet) {
    if (fleet.getStatus() == null) {
      return Optional.empty();
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> Conditions.DEGRADED.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst()
        .map(c -> new Degradation(c.getReason(), c.getMessage()));
  }

  private static Optional<Degradation> degradation(Optional<LaunchHolds.Hold> hold) {
    return hold.map(h -> new Degradation(h.reason(), h.message()));
  }
}
