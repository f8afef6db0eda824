package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.LoadBalancer;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.cloud.TargetGroups;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Deregistration;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The load balancer's step of the drain stage, for {@link DrainStage}: the DeregisterTargets calls
 * {@link Deregistration} asks for, and the deregistration delays (each target group's attribute,
 * read once per process by the port's cache) that set the wait.
 */
final class Deregistrations {
  private final TargetGroups targetGroups;
  private final Clock clock;
  private final FleetEvents events;
  private final DrainMetrics metrics;

  Deregistrations(
      TargetGroups targetGroups, Clock clock, FleetEvents events, DrainMetrics metrics) {
    this.targetGroups = targetGroups;
    this.clock = clock;
    this.events = events;
    this.metrics = metrics;
  }

  static Optional<LoadBalancer> loadBalancer(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getLoadBalancer())
        .filter(lb -> lb.getTargetGroupArns() != null && !lb.getTargetGroupArns().isEmpty());
  }

  static boolean isDeregistration(Drain d) {
    return Deregistration.ACTION.equals(d.action());
  }

  /** One step of a deregistration, with the DeregisterTargets calls it asks for made. */
  Drain step(ServerFleet fleet, Drain d, Instant now) {
    Optional<LoadBalancer> lb = loadBalancer(fleet);
    if (lb.isEmpty() && d.phase() == Drain.Phase.RUNNING) {
      // loadBalancer was removed from the spec while this drain ran: nothing left to wait for
      return Deregistration.refused(d, now, "loadBalancer removed from the spec");
    }
    DrainMachine.Step step = Deregistration.next(d, now);
    if (step.act() != DrainMachine.Act.SEND) {
      step.ended().ifPresent(outcome -> ended(fleet, step.drain(), outcome, now));
      return step.drain();
    }
    try {
      List<Integer> delays = new ArrayList<>();
      for (String arn : lb.get().getTargetGroupArns()) {
        targetGroups.deregister(arn, List.of(d.instanceId()), lb.get().getPort());
        delays.add(targetGroups.deregistrationDelaySeconds(arn));
      }
      Duration wait = Deregistration.wait(delays, lb.get().getDeregistrationDelayCapSeconds());
      // the wait starts when the last target group took the deregistration, not at the pass's
      // start: a slow pass (a busy API server) must not shorten it
      Instant deregisteredAt = clock.instant();
      Drain made =
          Deregistration.deregistered(d, deregisteredAt.isAfter(now) ? deregisteredAt : now, wait);
      events.normal(
          fleet,
          "Deregistered",
          "Deregistered "
              + d.instanceId()
              + " from "
              + delays.size()
              + " target group(s) ("
              + d.reason()
              + "); terminating it in "
              + wait.toSeconds()
              + "s, when connections have drained");
      return made;
    } catch (CloudException e) {
      String why = e.operation() + " failed (" + e.code() + "): " + e.getMessage();
      if (e.errorClass() == ErrorClass.TERMINAL) {
        // the target group is gone or access is refused: there is no draining to wait for
        Drain failed = Deregistration.refused(d, now, why + "; terminating without the wait");
        ended(fleet, failed, Drain.Phase.FAILED, now);
        return failed;
      }
      return Deregistration.retry(d, why + "; trying again");
    }
  }

  private void ended(ServerFleet fleet, Drain d, Drain.Phase outcome, Instant now) {
    metrics.ended(d.action(), outcome.display(), Duration.between(d.startedAt(), now));
    if (outcome != Drain.Phase.SUCCEEDED) {
      events.warning(
          fleet, "DeregistrationFailed", "Deregistering " + d.instanceId() + ": " + d.message());
    }
  }

  /** A hook's drain that ended goes on to deregistration when the fleet has a load balancer. */
  static boolean deregisterFirst(ServerFleet fleet, Drain d, Instance instance) {
    return !Deregistrations.isDeregistration(d)
        && Deregistrations.loadBalancer(fleet).isPresent()
        && instance != null
        && instance.state() == InstanceState.RUNNING;
  }

  /** Soon while a hook runs or a deregistration is to be made; at the end of a delay otherwise. */
  static Optional<Duration> pollIn(List<Drain> drains, Instant now, Duration poll) {
    Optional<Duration> next = Optional.empty();
    for (Drain d : drains) {
      if (d.phase() != Drain.Phase.RUNNING) {
        continue;
      }
      Optional<Duration> mine =
          Deregistrations.isDeregistration(d)
              ? Deregistration.pollIn(d, now).or(() -> Optional.of(poll))
              : Optional.of(poll);
      next = WakeUps.earliest(next, mine);
    }
    return next;
  }
}
