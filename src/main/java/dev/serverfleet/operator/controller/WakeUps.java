package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.LaunchLedger;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.PlanInput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The moments at which the mere passing of time changes what the fleet should do or report, so that
 * the reconciler wakes up for them instead of waiting for an unrelated event: an instance becoming
 * available after minReadySeconds, a health grace period ending, a progress deadline; and, from
 * them and what the pass did, when the next pass runs at the latest ({@link #nextPass}).
 */
final class WakeUps {
  private WakeUps() {}

  static List<Instant> moments(
      ServerFleet fleet,
      PlanInput in,
      InstanceChecks view,
      List<Instance> instances,
      ServerFleetStatus status) {
    List<Instant> out = new ArrayList<>();
    Duration minReady = in.policy().minReady();
    for (Instance i : instances) {
      if (view.ready(i) && !view.available(i)) {
        out.add(in.readySince().getOrDefault(i.id(), in.now()).plus(minReady));
      }
      if (i.state() == InstanceState.RUNNING && !view.gated(i) && i.launchTime() != null) {
        out.add(i.launchTime().plus(in.policy().healthGrace())); // replaced if still not gated
      }
      if (in.policy().statusChecks()
          && i.state() == InstanceState.RUNNING
          && i.health() == Health.IMPAIRED
          && !view.unhealthy(i)
          && i.launchTime() != null) {
        out.add(i.launchTime().plus(in.policy().healthGrace()));
      }
    }
    boolean complete =
        status.getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.PROGRESSING.equals(c.getType())
                        && Conditions.ROLLOUT_COMPLETE.equals(c.getReason()));
    if (status.getUnavailableOfferings() != null) {
      // the preferred type may be launched again, and status must stop showing the shortage
      status.getUnavailableOfferings().stream()
          .filter(o -> o.until() != null)
          .forEach(o -> out.add(Instant.parse(o.until()).plusSeconds(1)));
    }
    if (!complete
        && status.getLastProgressTime() != null
        && !Boolean.TRUE.equals(fleet.getSpec().getPaused())) {
      out.add(
          Instant.parse(status.getLastProgressTime())
              .plusSeconds(SpecDefaults.progressDeadlineSeconds(fleet))
              .plusSeconds(1));
    }
    return out;
  }

  /**
   * When to run the next pass at the latest: soon while things move, else when time alone changes a
   * decision.
   */
  static Optional<Duration> nextPass(
      ServerFleet fleet,
      PlanInput input,
      InstanceChecks view,
      List<Instance> instances,
      ServerFleetStatus status,
      FleetActions.Outcome outcome,
      Plan plan,
      Optional<LaunchHolds.Hold> hold,
      PlanInput.Timing timing,
      FailureMemory failures) {
    Instant now = input.now();
    Optional<Duration> next = outcome.retryIn();
    if (next.isEmpty() && (!plan.isEmpty() || settling(instances))) {
      next = Optional.of(FleetLoop.SETTLE);
    }
    List<Instant> moments = new ArrayList<>(WakeUps.moments(fleet, input, view, instances, status));
    outcome.intents().forEach(i -> moments.add(LaunchLedger.nextMoment(i, timing)));
    hold.ifPresent(h -> moments.add(h.until()));
    failures.avoidance().ends(input.fleetUid(), now).ifPresent(moments::add);
    Optional<Duration> timer =
        moments.stream()
            .filter(now::isBefore)
            .min(Instant::compareTo)
            .map(t -> Duration.between(now, t));
    if (!outcome.intents().isEmpty() && timer.isEmpty()) {
      timer = Optional.of(FleetLoop.SETTLE);
    }
    if (timer.isPresent() && (next.isEmpty() || timer.get().compareTo(next.get()) < 0)) {
      next = timer;
    }
    return next;
  }

  /** The sooner of two requeues; a negative one counts as none. */
  static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (b.isEmpty() || b.get().isNegative()) {
      return a;
    }
    return a.isEmpty() || b.get().compareTo(a.get()) < 0 ? b : a;
  }

  private static boolean settling(List<Instance> instances) {
    return instances.stream()
        .anyMatch(i -> !i.state().isGone() && i.state() != InstanceState.RUNNING);
  }
}
