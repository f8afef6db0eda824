package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hook calls for loop tests, with outcomes a real drain service or SSM can give but moto cannot:
 * each call answers after {@link #takes} with {@link #answer} (success, failure, or never). Webhook
 * calls live in memory and are lost by {@link #restart}; SSM commands are kept by id, as SSM keeps
 * them, and survive it. Every call is noted in the harness journal, in order with EC2's.
 */
final class FakeDrains implements DrainActions {
  enum Answer {
    SUCCESS,
    FAILURE,
    NEVER
  }

  record Call(String instanceId, String action, int attempt, Instant at, String handle) {}

  private final LoopHarness h;
  private final Clock clock;
  private final Map<String, Instant> webhookCalls = new HashMap<>();
  private final Map<String, Instant> commands = new HashMap<>();
  final List<Call> sent = new ArrayList<>();
  final List<String> probes = new ArrayList<>();
  Duration takes = Duration.ofSeconds(2);
  Answer answer = Answer.SUCCESS;
  private int nextCommand;

  FakeDrains(LoopHarness h) {
    this.h = h;
    this.clock = h.clock;
  }

  /** The operator process restarts: webhook calls in flight are lost; SSM commands are not. */
  void restart() {
    webhookCalls.clear();
  }

  @Override
  public Probed probe(ServerFleet fleet, PreTerminateHook hook, Drain d) {
    Instant since =
        d.handle() != null
            ? commands.get(d.handle())
            : webhookCalls.get(d.instanceId() + "/" + d.attempts());
    probes.add(d.instanceId());
    if (since == null) {
      return Probed.NONE;
    }
    if (answer == Answer.NEVER || clock.instant().isBefore(since.plus(takes))) {
      return new Probed(DrainMachine.Probe.IN_FLIGHT, "InProgress");
    }
    return answer == Answer.SUCCESS
        ? new Probed(DrainMachine.Probe.SUCCEEDED, "Success")
        : new Probed(DrainMachine.Probe.FAILED, "Failed (exit code 1)");
  }

  @Override
  public Sent send(ServerFleet fleet, PreTerminateHook hook, Instance instance, Drain d) {
    int attempt = d.attempts() + 1;
    String handle = null;
    if (hook.getSsmCommand() != null) {
      handle = "cmd-" + ++nextCommand;
      commands.put(handle, clock.instant());
    } else {
      webhookCalls.put(d.instanceId() + "/" + attempt, clock.instant());
    }
    sent.add(new Call(d.instanceId(), d.action(), attempt, clock.instant(), handle));
    h.note("Drain", d.instanceId());
    return Sent.made(handle);
  }

  @Override
  public void forget(ServerFleet fleet, Drain drain) {}

  List<Call> callsFor(String instanceId) {
    return sent.stream().filter(c -> c.instanceId().equals(instanceId)).toList();
  }

  Optional<Call> first(String instanceId) {
    return callsFor(instanceId).stream().findFirst();
  }
}
