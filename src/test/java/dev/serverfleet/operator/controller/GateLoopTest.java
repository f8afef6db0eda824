package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.GateStatus;
import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.Lifecycle;
import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.cloud.FakeSsm;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.DrainMachine;
import dev.serverfleet.operator.planning.Gate;
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
import org.junit.jupiter.api.Test;

/**
 * SSM and webhook readiness gates through the loop: SSM on the in-memory SSM (outcomes moto cannot
 * produce), the webhook through scripted answers (the real HTTP path is in LifecycleHookIT).
 */
class GateLoopTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final FakeSsm ssm = new FakeSsm();

  private static LoopHarness gated(int replicas, int graceSeconds, Consumer<ReadinessGate> kind) {
    LoopHarness h = new LoopHarness(replicas);
    h.editSpec(
        s -> {
          ReadinessGate gate = new ReadinessGate();
          kind.accept(gate);
          Lifecycle l = new Lifecycle();
          l.setReadinessGate(gate);
          s.setLifecycle(l);
          HealthCheck check = new HealthCheck();
          check.setGracePeriodSeconds(graceSeconds);
          check.setMaxUnhealthyPercent(100);
          s.setHealthCheck(check);
        });
    return h;
  }

  private static Consumer<ReadinessGate> ssmGate(Integer timeoutSeconds) {
    return g -> {
      SsmCommandAction a = new SsmCommandAction();
      a.setDocumentName("AWS-RunShellScript");
      a.setParameters(Map.of("commands", List.of("curl -fs localhost:8080/healthz")));
      a.setTimeoutSeconds(timeoutSeconds);
      g.setSsmCommand(a);
    };
  }

  private HookCalls ssmCalls(LoopHarness h) {
    return new HookCalls(
        new WebhookCalls(1, WebhookTargets.STRICT, (ns, n, k) -> Optional.empty()),
        new SsmDrains(ssm, h.clock, 100));
  }

  private static void seconds(LoopHarness h, int seconds) {
    for (int n = 0; n < seconds; n++) {
      h.poll();
      if (h.due()) {
        h.step();
      }
      h.clock.advance(SECOND);
    }
  }

  private List<String> commandsFor(String instanceId) {
    return ssm.sent().stream()
        .filter(s -> s.instanceId().equals(instanceId))
        .map(FakeSsm.Sent::commandId)
        .toList();
  }

  private static Map<String, GateStatus> gates(LoopHarness h) {
    return h.status().getGates().stream().collect(Collectors.toMap(GateStatus::instanceId, g -> g));
  }

  @Test
  void anSsmGateThatSucceedsMakesTheInstanceReadyAndMinReadyCountsFromIt() {
    LoopHarness h = gated(2, 600, ssmGate(null));
    h.editSpec(s -> s.setMinReadySeconds(20));
    h.useGates(ssmCalls(h));
    seconds(h, 30);
    List<Instance> live = h.liveInstances();
    assertThat(live).hasSize(2);
    assertThat(h.status().getReadyReplicas()).as("running, gate pending").isZero();
    live.forEach(i -> assertThat(commandsFor(i.id())).as("sent once to %s", i.id()).hasSize(1));
    assertThat(gates(h).values()).allSatisfy(g -> assertThat(g.phase()).isEqualTo("Pending"));

    Instant passedFrom = h.clock.instant();
    ssm.sent().forEach(s -> ssm.set(s.commandId(), "Success"));
    seconds(h, 5);
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    assertThat(h.status().getAvailableReplicas()).as("minReadySeconds from the gate").isZero();
    for (InstanceStatus i : h.status().getInstances()) {
      assertThat(Instant.parse(i.readySince())).isAfterOrEqualTo(passedFrom);
    }
    seconds(h, 25);
    assertThat(h.status().getAvailableReplicas()).isEqualTo(2);
    assertThat(ssm.sent()).as("never sent again once passed").hasSize(2);
    assertThat(gates(h).values()).allSatisfy(g -> assertThat(g.phase()).isEqualTo("Passed"));
    assertThat(h.events).filteredOn(e -> e.reason().equals("GatePassed")).hasSize(2);
  }

  @Test
  void aFailingSsmGateIsTriedThreeTimesThenTheInstanceIsReplacedAfterTheGrace() {
    LoopHarness h = gated(1, 200, ssmGate(null));
    h.useGates(ssmCalls(h));
    ssm.newCommandsStart("Failed");
    seconds(h, 100);
    String first = h.liveInstances().get(0).id();
    assertThat(commandsFor(first)).hasSize(GateStage.SSM_MAX_ATTEMPTS);
    assertThat(gates(h).get(first).phase()).isEqualTo("Failed");
    assertThat(h.status().getReadyReplicas()).isZero();
    assertThat(h.liveInstances()).extracting(Instance::id).containsExactly(first);

    seconds(h, 120);
    assertThat(h.liveInstances()).extracting(Instance::id).doesNotContain(first);
    assertThat(commandsFor(first)).as("no more commands once Failed").hasSize(3);
    assertThat(h.events).anySatisfy(e -> assertThat(e.reason()).isEqualTo("GateFailed"));
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("Terminated"))
        .anySatisfy(e -> assertThat(e.message()).contains(first));
  }

  @Test
  void anSsmGateCommandThatRunsPastItsTimeoutCountsAsAFailedAttempt() {
    LoopHarness h = gated(1, 900, ssmGate(30));
    h.useGates(ssmCalls(h));
    ssm.newCommandsStart("InProgress");
    seconds(h, 60);
    String id = h.liveInstances().get(0).id();
    assertThat(commandsFor(id)).as("the first timed out after 30 s and was sent again").hasSize(2);
    seconds(h, 90);
    assertThat(commandsFor(id)).hasSize(3);
    GateStatus g = gates(h).get(id);
    assertThat(g.phase()).isEqualTo("Failed");
    assertThat(g.message()).contains("no result within 30s");
    assertThat(h.liveInstances()).extracting(Instance::id).as("kept until the grace").contains(id);
  }

  @Test
  void aRestartMidGateResumesByCommandIdAndNeverResends() {
    LoopHarness h = gated(2, 600, ssmGate(null));
    h.useGates(ssmCalls(h));
    seconds(h, 30);
    assertThat(ssm.sent()).hasSize(2);
    Set<String> ids = ssm.sent().stream().map(FakeSsm.Sent::commandId).collect(Collectors.toSet());
    assertThat(gates(h).values())
        .extracting(GateStatus::commandId)
        .containsExactlyInAnyOrderElementsOf(ids);

    h.restart();
    int pollsBefore = ssm.polls().size();
    seconds(h, 10);
    assertThat(ssm.sent()).as("the restarted operator sends nothing").hasSize(2);
    assertThat(ssm.polls().subList(pollsBefore, ssm.polls().size()))
        .as("it polls the recorded commands")
        .containsAll(ids);

    ids.forEach(c -> ssm.set(c, "Success"));
    seconds(h, 5);
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    assertThat(ssm.sent()).hasSize(2);
  }

  /** Webhook answers, scripted per instance: 503 on each instance's first request, then 200. */
  private static final class ScriptedWebhook implements GateActions {
    final List<String> asked = new ArrayList<>();
    final Map<String, Instant> lastAsked = new HashMap<>();
    final List<Duration> gaps = new ArrayList<>();
    private final LoopHarness h;

    ScriptedWebhook(LoopHarness h) {
      this.h = h;
    }

    @Override
    public DrainActions.Probed probe(ServerFleet fleet, ReadinessGate gate, Gate g) {
      if (g.attempts() == 0) {
        return DrainActions.Probed.NONE;
      }
      return g.attempts() == 1
          ? new DrainActions.Probed(DrainMachine.Probe.FAILED, "HTTP 503")
          : new DrainActions.Probed(DrainMachine.Probe.SUCCEEDED, "HTTP 200");
    }

    @Override
    public DrainActions.Sent send(
        ServerFleet fleet, ReadinessGate gate, Instance instance, Gate g) {
      Instant now = h.clock.instant();
      Instant before = lastAsked.put(instance.id(), now);
      if (before != null) {
        gaps.add(Duration.between(before, now));
      }
      asked.add(instance.id());
      return DrainActions.Sent.made(null);
    }

    @Override
    public void forget(ServerFleet fleet, ReadinessGate gate, Gate g) {}
  }

  @Test
  void aWebhookGateAnswering503ThenOkMakesTheInstanceReadyOnlyAfterTheOk() {
    LoopHarness h =
        gated(
            1,
            600,
            g -> {
              WebhookAction w = new WebhookAction();
              w.setUrl("https://ready.example.com/check");
              g.setWebhook(w);
            });
    ScriptedWebhook hook = new ScriptedWebhook(h);
    h.useGates(hook);
    List<Integer> readyWhileOneAsk = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      h.poll();
      if (h.due()) {
        h.step();
        if (hook.asked.size() == 1 && h.status().getReadyReplicas() != null) {
          readyWhileOneAsk.add(h.status().getReadyReplicas());
        }
      }
      h.clock.advance(SECOND);
    }
    assertThat(readyWhileOneAsk).as("not ready after the 503").isNotEmpty().containsOnly(0);
    assertThat(hook.asked).hasSize(2);
    assertThat(hook.gaps)
        .allSatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(GateStage.WEBHOOK_ASK_EVERY));
    assertThat(h.status().getReadyReplicas()).isEqualTo(1);
    GateStatus g = h.status().getGates().get(0);
    assertThat(g.phase()).isEqualTo("Passed");
    assertThat(g.attempts()).isEqualTo(2);
    assertThat(g.message()).isEqualTo("HTTP 200");
  }

  @Test
  void withoutGateCallsTheInstanceIsNeverReady() {
    LoopHarness h = gated(1, 600, ssmGate(null));
    seconds(h, 40);
    assertThat(h.liveInstances()).hasSize(1);
    assertThat(h.status().getReadyReplicas()).isZero();
    assertThat(h.status().getGates().get(0).message()).contains("refused");
  }
}
