package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DefaultResult;
import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.TargetGroups;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Deregistration;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Drain before terminate: every instance the operator decides to terminate passes through here
 * before TerminateInstances. With {@code lifecycle.preTerminate} set, a running instance is kept in
 * {@code status.draining} while its hook runs ({@link DrainMachine} decides each step) and is
 * handed to TerminateInstances only once the hook succeeded, or failed or timed out with
 * defaultResult Continue; with Abandon it stays, and the fleet is Degraded naming it until a person
 * terminates it or tags it {@code serverfleet.dev/drain-decision=terminate}. Without a hook, or for
 * an instance not running (pending, stopped: nothing to drain), it passes straight through.
 *
 * <p>With {@code spec.loadBalancer}, a running instance is also deregistered from its target groups
 * before it goes: after the hook ends (whatever its outcome, but Abandon), or as the only step
 * without a hook, the drain becomes a {@code deregister} drain ({@link Deregistrations}, {@code
 * planning/Deregistration}): DeregisterTargets, then the deregistration delay waited out with its
 * end in status, then TerminateInstances.
 *
 * <p>A drain is written to status in the pass that decides it and its hook is called from the next
 * pass on, so no hook runs for an instance status does not show as draining. State lives in status,
 * not here: a restarted operator reads the drains back and resumes them (an SSM command is
 * re-polled by its id; a webhook whose answer was lost is sent again). An entry goes once its
 * instance is no longer live in EC2 (terminated by us, by a person, or gone).
 */
public final class DrainStage {
  /** A person's answer to an abandoned drain, as a tag on the instance. */
  public static final String DECISION_TAG = "serverfleet.dev/drain-decision";

  static final String WEBHOOK = "webhook";
  static final String SSM = "ssmCommand";

  /** How soon to look again while a drain runs. */
  static final Duration POLL = Duration.ofSeconds(1);

  /**
   * @param ready drains whose instance is to be terminated now
   * @param direct instances to terminate now without a drain (no hook, or not running)
   * @param drains what {@code status.draining} holds after this pass
   * @param degraded abandoned drains, for the Degraded condition
   * @param pollIn when to look again, while a drain runs
   */
  record Result(
      List<Drain> ready,
      List<String> direct,
      List<Drain> drains,
      Optional<Degradation> degraded,
      Optional<Duration> pollIn) {

    /** Drains that keep their instance after this pass: running or abandoned. */
    List<Drain> holding() {
      Set<String> going = ready.stream().map(Drain::instanceId).collect(Collectors.toSet());
      return drains.stream().filter(d -> !going.contains(d.instanceId())).toList();
    }
  }

  private final DrainActions actions;
  private final FleetEvents events;
  private final DrainMetrics metrics;
  private final Deregistrations deregistrations;

  public DrainStage(DrainActions actions, FleetEvents events, DrainMetrics metrics) {
    this(actions, TargetGroups.NONE, java.time.Clock.systemUTC(), events, metrics);
  }

  /**
   * @param targetGroups where instances of fleets with spec.loadBalancer are deregistered
   * @param clock when a deregistration was made: the delay is counted from the call, not from the
   *     start of the pass
   */
  public DrainStage(
      DrainActions actions,
      TargetGroups targetGroups,
      java.time.Clock clock,
      FleetEvents events,
      DrainMetrics metrics) {
    this.actions = actions;
    this.events = events;
    this.metrics = metrics;
    this.deregistrations = new Deregistrations(targetGroups, clock, events, metrics);
  }

  /** Whether terminations of this fleet go through a drain: a hook, or a load balancer. */
  static boolean drains(ServerFleet fleet) {
    return hook(fleet).isPresent() || Deregistrations.loadBalancer(fleet).isPresent();
  }

  /** The ids status records as draining: the planner must not choose them again. */
  static Set<String> recorded(ServerFleet fleet) {
    return stored(fleet).stream().map(Drain::instanceId).collect(Collectors.toSet());
  }

  static List<Drain> stored(ServerFleet fleet) {
    return fleet.getStatus() == null
        ? List.of()
        : fleet.getStatus().getDraining().stream().map(DrainRecords::drain).toList();
  }

  static Optional<PreTerminateHook> hook(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getLifecycle()).map(l -> l.getPreTerminate());
  }

  /**
   * @param owned the fleet's instances as observed
   * @param decided instance id → reason, the terminations decided in this pass
   */
  Result run(ServerFleet fleet, List<Instance> owned, Map<String, String> decided, Instant now) {
    Map<String, Instance> byId =
        owned.stream().collect(Collectors.toMap(Instance::id, Function.identity(), (a, b) -> a));
    Optional<PreTerminateHook> hook = hook(fleet);
    Map<String, Drain> drains = new LinkedHashMap<>();
    for (Drain d : stored(fleet)) {
      Instance i = byId.get(d.instanceId());
      if (i == null || i.state().isGone()) {
        actions.forget(fleet, d);
      } else {
        drains.put(d.instanceId(), d);
      }
    }
    List<String> direct = new ArrayList<>();
    Set<String> fresh = new java.util.HashSet<>();
    decided.forEach(
        (id, reason) -> {
          Instance i = byId.get(id);
          if (drains.containsKey(id)) {
            return;
          }
          if (!drains(fleet) || i == null || i.state() != InstanceState.RUNNING) {
            direct.add(id);
          } else {
            drains.put(
                id,
                hook.isPresent()
                    ? Drain.start(id, reason, actionOf(hook.get()), now)
                    : Deregistration.start(id, reason, now));
            fresh.add(id);
          }
        });
    List<Drain> ready = new ArrayList<>();
    List<Drain> after = new ArrayList<>();
    for (Drain d : drains.values()) {
      // A new drain is only recorded in this pass: it is in status before its hook is called (the
      // next pass calls it), as a launch intent is before its RunInstances.
      Instance instance = byId.get(d.instanceId());
      Drain next =
          fresh.contains(d.instanceId())
              ? d
              : Deregistrations.isDeregistration(d)
                  ? deregistrations.step(fleet, d, now)
                  : step(fleet, hook, d, instance, now);
      if (goesNow(next, instance) && Deregistrations.deregisterFirst(fleet, next, instance)) {
        // the hook is done: the load balancer's step follows, recorded before its call
        actions.forget(fleet, next);
        next = Deregistration.start(next.instanceId(), next.reason(), now);
      }
      after.add(next);
      if (goesNow(next, instance)) {
        ready.add(next);
        actions.forget(fleet, next);
      }
    }
    return new Result(
        ready, direct, after, abandoned(after), Deregistrations.pollIn(after, now, POLL));
  }

  /** One step of the machine for one drain, with the call it asks for made. */
  private Drain step(
      ServerFleet fleet, Optional<PreTerminateHook> hook, Drain d, Instance instance, Instant now) {
    if (hook.isEmpty()) {
      // The hook was removed from the spec while this drain ran: nothing left to wait for.
      return d.phase() == Drain.Phase.RUNNING
          ? new Drain(
              d.instanceId(),
              d.reason(),
              d.action(),
              Drain.Phase.SUCCEEDED,
              d.startedAt(),
              d.attempts(),
              d.handle(),
              now,
              "hook removed from the spec",
              null)
          : d;
    }
    DrainMachine.Rules rules = rules(hook.get(), noticeEnd(fleet, d.instanceId()));
    DrainActions.Probed probed =
        d.phase() == Drain.Phase.RUNNING
            ? actions.probe(fleet, hook.get(), d)
            : DrainActions.Probed.NONE;
    DrainMachine.Step step =
        DrainMachine.next(d, probed.probe(), probed.detail(), rules, now, decidedBy(instance));
    if (step.act() == DrainMachine.Act.SEND) {
      DrainActions.Sent sent = actions.send(fleet, hook.get(), instance, d);
      if (sent.accepted()) {
        Drain made = DrainMachine.sent(d, sent.handle());
        announceSent(fleet, made);
        return made;
      }
      if (sent.refused().isEmpty()) {
        return d; // deferred: the shared bound on hook calls is reached, or a retryable error
      }
      step =
          DrainMachine.next(d, DrainMachine.Probe.FAILED, sent.refused().get(), rules, now, false);
    }
    Drain next = step.drain();
    step.ended().ifPresent(outcome -> announceEnd(fleet, next, outcome, now));
    return next;
  }

  private static boolean goesNow(Drain d, Instance instance) {
    return switch (d.phase()) {
      case SUCCEEDED, FAILED, TIMED_OUT -> true;
      case ABANDONED -> decidedBy(instance);
      case RUNNING -> false;
    };
  }

  private static boolean decidedBy(Instance instance) {
    return instance != null && "terminate".equalsIgnoreCase(instance.tag(DECISION_TAG));
  }

  /** When AWS takes the instance, if status records an interruption notice for it. */
  private static Optional<Instant> noticeEnd(ServerFleet fleet, String instanceId) {
    return Optional.ofNullable(InterruptionNotices.doomed(fleet, Map.of()).get(instanceId))
        .map(dev.serverfleet.operator.fleet.Interruption::deadline);
  }

  /** The hook's rules, bounded by the instance's interruption notice if it has one. */
  static DrainMachine.Rules rules(PreTerminateHook hook, Optional<Instant> noticeEnd) {
    DrainMachine.Rules rules = rules(hook);
    return noticeEnd.map(rules::boundedBy).orElse(rules);
  }

  static DrainMachine.Rules rules(PreTerminateHook hook) {
    int seconds =
        hook.getSsmCommand() != null
            ? Optional.ofNullable(hook.getSsmCommand().getTimeoutSeconds())
                .orElse(SsmDrains.DEFAULT_TIMEOUT_SECONDS)
            : Optional.ofNullable(hook.getWebhook().getTimeoutSeconds())
                .orElse(WebhookCalls.DEFAULT_TIMEOUT_SECONDS);
    return new DrainMachine.Rules(
        Duration.ofSeconds(seconds), hook.getDefaultResult() == DefaultResult.Abandon);
  }

  private static String actionOf(PreTerminateHook hook) {
    return hook.getSsmCommand() != null ? SSM : WEBHOOK;
  }

  private void announceSent(ServerFleet fleet, Drain d) {
    events.normal(
        fleet,
        d.attempts() == 1 ? "DrainStarted" : "DrainResent",
        "Pre-termination hook ("
            + d.action()
            + ") "
            + (d.attempts() == 1 ? "started" : "sent again (attempt " + d.attempts() + ")")
            + " for "
            + d.instanceId()
            + " ("
            + d.reason()
            + ")"
            + (d.handle() == null ? "" : ": command " + d.handle()));
  }

  private void announceEnd(ServerFleet fleet, Drain d, Drain.Phase outcome, Instant now) {
    metrics.ended(d.action(), outcome.display(), Duration.between(d.startedAt(), now));
    String what =
        "Pre-termination hook ("
            + d.action()
            + ") for "
            + d.instanceId()
            + " "
            + outcome.display()
            + (d.message() == null ? "" : ": " + d.message())
            + (d.phase() == Drain.Phase.ABANDONED
                ? "; the instance is kept: terminate it yourself, or tag it "
                    + DECISION_TAG
                    + "=terminate"
                : "; terminating it");
    if (outcome == Drain.Phase.SUCCEEDED) {
      events.normal(fleet, "DrainSucceeded", what);
    } else {
      events.warning(
          fleet, d.phase() == Drain.Phase.ABANDONED ? "DrainAbandoned" : "DrainFailed", what);
    }
  }

  private static Optional<Degradation> abandoned(List<Drain> drains) {
    List<String> ids =
        drains.stream()
            .filter(d -> d.phase() == Drain.Phase.ABANDONED)
            .map(Drain::instanceId)
            .toList();
    if (ids.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Degradation(
            "DrainAbandoned",
            "pre-termination hook failed with defaultResult Abandon; kept: "
                + String.join(", ", ids)
                + ". Terminate them yourself, or tag them "
                + DECISION_TAG
                + "=terminate (see status.draining)"));
  }
}
