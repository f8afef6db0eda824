package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.GateStatus;
import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Gate;
import dev.serverfleet.operator.planning.GateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SSM and webhook readiness gates (lifecycle.readinessGate.ssmCommand / .webhook), run at the start
 * of every pass so the planner sees which running instances passed ({@link GateMachine} decides
 * each step). State lives in {@code status.gates}: the SSM command id being followed, and when a
 * gate passed, so a restarted operator re-polls the command instead of sending it again and does
 * not ask passed instances again. An instance's entry goes with the instance.
 *
 * <p>SSM: one SendCommand per attempt, GetCommandInvocation on later passes; a command that ends
 * other than Success, or runs past timeoutSeconds, is sent again (15 s later), at most {@link
 * #SSM_MAX_ATTEMPTS} commands in all, then the gate is Failed. A SendCommand refused before it ran
 * (the instance not yet registered with SSM, just after boot) is not an attempt: it is asked again
 * 15 s later. Webhook: a POST every {@link #WEBHOOK_ASK_EVERY} at most until one answers 2xx. In
 * every case an instance not through its gate healthCheck.gracePeriodSeconds after launch is
 * replaced by the planner, whatever the attempts left.
 */
final class GateStage {
  static final int SSM_MAX_ATTEMPTS = 3;
  static final Duration SSM_RETRY_AFTER = Duration.ofSeconds(15);
  static final Duration WEBHOOK_ASK_EVERY = Duration.ofSeconds(5);

  /** status.gates stays small: an answer longer than this is cut. */
  private static final int MAX_MESSAGE = 200;

  /** How soon to look again while a gate is pending. */
  static final Duration POLL = Duration.ofSeconds(2);

  /**
   * @param passed instances through their gate, for the planner
   * @param gates what {@code status.gates} holds after this pass
   * @param pollIn when to look again, while a gate is pending
   */
  record Result(Set<String> passed, List<GateStatus> gates, Optional<Duration> pollIn) {
    static final Result NONE = new Result(Set.of(), List.of(), Optional.empty());
  }

  private final GateActions actions;
  private final FleetEvents events;

  GateStage(GateActions actions, FleetEvents events) {
    this.actions = actions;
    this.events = events;
  }

  /** The fleet's readiness gate when it is one this stage runs (not a tag). */
  static Optional<ReadinessGate> callGate(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getLifecycle())
        .map(l -> l.getReadinessGate())
        .filter(g -> g.getSsmCommand() != null || g.getWebhook() != null);
  }

  /**
   * @param owned the fleet's instances as observed
   * @param draining instances on their way out: their gate is no longer asked
   */
  Result run(ServerFleet fleet, List<Instance> owned, Set<String> draining, Instant now) {
    Map<String, Gate> stored = stored(fleet);
    Optional<ReadinessGate> spec = callGate(fleet);
    if (spec.isEmpty()) {
      stored.values().forEach(g -> actions.forget(fleet, null, g));
      return Result.NONE;
    }
    GateMachine.Rules rules = rules(spec.get());
    List<Gate> after = new ArrayList<>();
    for (Instance i : owned) {
      Gate g = stored.remove(i.id());
      if (i.state().isGone()) {
        continue;
      }
      if (i.state() != InstanceState.RUNNING || draining.contains(i.id())) {
        if (g != null) {
          after.add(g); // kept as it was: a stopped instance restarted is still through
        }
        continue;
      }
      after.add(step(fleet, spec.get(), rules, g == null ? Gate.start(i.id()) : g, i, now));
    }
    stored.values().forEach(g -> actions.forget(fleet, spec.get(), g)); // instance gone
    Set<String> passed =
        after.stream()
            .filter(g -> g.phase() == Gate.Phase.PASSED)
            .map(Gate::instanceId)
            .collect(Collectors.toSet());
    boolean pending = after.stream().anyMatch(g -> g.phase() == Gate.Phase.PENDING);
    return new Result(
        passed,
        after.stream().map(GateStage::status).toList(),
        pending ? Optional.of(POLL) : Optional.empty());
  }

  private Gate step(
      ServerFleet fleet,
      ReadinessGate spec,
      GateMachine.Rules rules,
      Gate g,
      Instance instance,
      Instant now) {
    if (g.phase() != Gate.Phase.PENDING) {
      return g;
    }
    DrainActions.Probed probed = actions.probe(fleet, spec, g);
    GateMachine.Step step = GateMachine.next(g, probed.probe(), probed.detail(), rules, now);
    Gate next = step.gate();
    if (step.act() == GateMachine.Act.SEND) {
      DrainActions.Sent sent = actions.send(fleet, spec, instance, next);
      if (sent.accepted()) {
        next = GateMachine.sent(next, sent.handle(), now);
      } else if (sent.refused().isPresent()) {
        next = GateMachine.refused(next, sent.refused().get(), now);
      }
    }
    if (next.phase() != Gate.Phase.PENDING) {
      actions.forget(fleet, spec, next);
      announce(fleet, spec, next, instance);
    }
    return next;
  }

  static GateMachine.Rules rules(ReadinessGate gate) {
    if (gate.getSsmCommand() != null) {
      int seconds =
          Optional.ofNullable(gate.getSsmCommand().getTimeoutSeconds())
              .orElse(SsmDrains.DEFAULT_TIMEOUT_SECONDS);
      return new GateMachine.Rules(Duration.ofSeconds(seconds), SSM_MAX_ATTEMPTS, SSM_RETRY_AFTER);
    }
    int seconds =
        Optional.ofNullable(gate.getWebhook().getTimeoutSeconds())
            .orElse(WebhookCalls.DEFAULT_GATE_TIMEOUT_SECONDS);
    return new GateMachine.Rules(Duration.ofSeconds(seconds), 0, WEBHOOK_ASK_EVERY);
  }

  private void announce(ServerFleet fleet, ReadinessGate spec, Gate g, Instance instance) {
    String kind = spec.getSsmCommand() != null ? DrainStage.SSM : DrainStage.WEBHOOK;
    String what =
        "Readiness gate ("
            + kind
            + ") for "
            + instance.id()
            + " "
            + g.phase().display().toLowerCase(java.util.Locale.ROOT)
            + " after "
            + g.attempts()
            + " attempt(s)"
            + (g.message() == null ? "" : ": " + g.message());
    if (g.phase() == Gate.Phase.PASSED) {
      events.normal(fleet, "GatePassed", what);
    } else {
      events.warning(
          fleet,
          "GateFailed",
          what + "; it is replaced healthCheck.gracePeriodSeconds after its launch");
    }
  }

  static Map<String, Gate> stored(ServerFleet fleet) {
    Map<String, Gate> out = new LinkedHashMap<>();
    if (fleet.getStatus() != null) {
      fleet.getStatus().getGates().forEach(s -> out.put(s.instanceId(), gate(s)));
    }
    return out;
  }

  static Gate gate(GateStatus s) {
    return new Gate(
        s.instanceId(),
        Gate.Phase.parse(s.phase()),
        s.commandId(),
        s.sentAt() == null ? null : Instant.parse(s.sentAt()),
        s.attempts() == null ? 0 : s.attempts(),
        s.passedAt() == null ? null : Instant.parse(s.passedAt()),
        s.message());
  }

  static GateStatus status(Gate g) {
    return new GateStatus(
        g.instanceId(),
        g.phase().display(),
        g.commandId(),
        g.sentAt() == null ? null : g.sentAt().toString(),
        g.attempts(),
        g.passedAt() == null ? null : g.passedAt().toString(),
        g.message() == null || g.message().length() <= MAX_MESSAGE
            ? g.message()
            : g.message().substring(0, MAX_MESSAGE) + "...");
  }
}
