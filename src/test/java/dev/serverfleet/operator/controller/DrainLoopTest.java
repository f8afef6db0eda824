package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.NEW_AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.converged;
import static dev.serverfleet.operator.controller.LoopScenarios.rolling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.DefaultResult;
import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.api.v1alpha1.Lifecycle;
import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Drain before terminate through the loop, the EC2 fake and {@link FakeDrains} (outcomes moto
 * cannot give: failures, timeouts, lost answers), one pass per simulated second.
 */
class DrainLoopTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  static Consumer<ServerFleetSpec> webhook(int timeoutSeconds, DefaultResult result) {
    return s -> {
      WebhookAction w = new WebhookAction();
      w.setUrl("https://drain.example.com/drain");
      w.setTimeoutSeconds(timeoutSeconds);
      PreTerminateHook hook = new PreTerminateHook();
      hook.setWebhook(w);
      hook.setDefaultResult(result);
      Lifecycle l = new Lifecycle();
      l.setPreTerminate(hook);
      s.setLifecycle(l);
    };
  }

  static Consumer<ServerFleetSpec> ssm(int timeoutSeconds) {
    return s -> {
      SsmCommandAction c = new SsmCommandAction();
      c.setDocumentName("AWS-RunShellScript");
      c.setTimeoutSeconds(timeoutSeconds);
      PreTerminateHook hook = new PreTerminateHook();
      hook.setSsmCommand(c);
      Lifecycle l = new Lifecycle();
      l.setPreTerminate(hook);
      s.setLifecycle(l);
    };
  }

  /** Passes, one per second, for {@code seconds}; the check after each reconcile. */
  private static void seconds(LoopHarness h, int seconds, Consumer<LoopHarness> check) {
    for (int n = 0; n < seconds; n++) {
      h.poll();
      if (h.due()) {
        h.step();
        check.accept(h);
      }
      h.clock.advance(SECOND);
    }
  }

  /** Journal position of the drain call and of the TerminateInstances naming each instance. */
  private static void assertDrainedBeforeTerminated(LoopHarness h, Set<String> ids) {
    for (String id : ids) {
      int drained = -1;
      int terminated = -1;
      for (LoopHarness.Entry e : h.journal) {
        if (e.kind().equals("Drain") && e.detail().equals(id) && drained < 0) {
          drained = e.seq();
        }
        if (e.kind().equals(FakeEc2.TERMINATE)
            && List.of(e.detail().split(",")).contains(id)
            && terminated < 0) {
          terminated = e.seq();
        }
      }
      assertThat(drained).as("%s drained", id).isNotNegative();
      assertThat(terminated).as("%s terminated", id).isGreaterThan(drained);
    }
  }

  @Test
  void aScaleInDrainsFirstAndTerminatesOnlyOnceTheHookSucceeded() {
    LoopHarness h = converged(3, webhook(30, DefaultResult.Continue));
    FakeDrains drains = new FakeDrains(h);
    h.useDrains(drains);
    Set<String> before = ids(h.liveInstances());

    h.scale(1);
    List<Integer> drainingSeen = new ArrayList<>();
    seconds(h, 15, x -> drainingSeen.add(x.status().getDraining().size()));

    assertThat(h.liveInstances()).hasSize(1);
    Set<String> gone = new java.util.HashSet<>(before);
    gone.removeAll(ids(h.liveInstances()));
    assertThat(drains.sent)
        .extracting(FakeDrains.Call::instanceId)
        .containsExactlyInAnyOrderElementsOf(gone);
    assertDrainedBeforeTerminated(h, gone);
    assertThat(drainingSeen).as("status showed the drains while they ran").contains(2);
    assertThat(h.status().getDraining()).isEmpty();
    assertThat(h.events)
        .extracting(LoopHarness.Event::reason)
        .contains("DrainStarted", "DrainSucceeded", "Terminated");
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
    var timer = h.registry.find("serverfleet.drain").tag("outcome", "Succeeded").timer();
    assertThat(timer).isNotNull();
    assertThat(timer.count()).isEqualTo(2);
  }

  @Test
  void aDrainIsInStatusBeforeItsHookIsCalled() {
    LoopHarness h = converged(2, webhook(30, DefaultResult.Continue));
    FakeDrains drains = new FakeDrains(h);
    h.useDrains(drains);

    h.scale(1);
    h.poll();
    h.step();
    assertThat(h.status().getDraining())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.phase()).isEqualTo("Running");
              assertThat(d.attempts()).isZero();
            });
    assertThat(drains.sent).as("no call before the drain is recorded").isEmpty();

    h.clock.advance(SECOND);
    h.poll();
    h.step();
    assertThat(drains.sent).hasSize(1);
    assertThat(h.status().getDraining()).extracting(DrainStatus::attempts).containsExactly(1);
  }

  @Test
  void aRolloutWithDrainsNeverHasMoreUnavailableThanAllowedNorLaunchesBeyondTheSurge() {
    LoopHarness h =
        converged(
            4,
            webhook(30, DefaultResult.Continue)
                .andThen(
                    s -> {
                      s.setStrategy(rolling(1, 0));
                      s.getTemplate().setSubnetIds(List.of("subnet-a"));
                    }));
    FakeDrains drains = new FakeDrains(h);
    h.useDrains(drains);
    Set<String> old = ids(h.liveInstances());

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    seconds(
        h,
        300,
        x -> {
          assertThat(x.status().getAvailableReplicas()).as("available").isGreaterThanOrEqualTo(4);
          assertThat(x.liveInstances()).as("live, draining included").hasSizeLessThanOrEqualTo(5);
        });

    assertThat(ids(h.liveInstances())).hasSize(4).doesNotContainAnyElementsOf(old);
    assertDrainedBeforeTerminated(h, old);
    assertThat(drains.sent).as("one call per drain").hasSize(4);
  }

  @Test
  void aHookThatTimesOutWithAbandonKeepsTheInstanceDegradesTheFleetAndAPersonDecides() {
    LoopHarness h = converged(3, webhook(10, DefaultResult.Abandon));
    FakeDrains drains = new FakeDrains(h);
    drains.answer = FakeDrains.Answer.NEVER;
    h.useDrains(drains);

    h.scale(2);
    seconds(h, 60, x -> {});

    assertThat(h.liveInstances()).as("the abandoned instance is kept").hasSize(3);
    List<DrainStatus> draining = h.status().getDraining();
    assertThat(draining).hasSize(1);
    DrainStatus kept = draining.get(0);
    assertThat(kept.phase()).isEqualTo("Abandoned");
    assertThat(kept.message()).contains("TimedOut");
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo("DrainAbandoned");
    assertThat(h.condition(Conditions.DEGRADED).getMessage()).contains(kept.instanceId());
    assertThat(h.status().getAvailableReplicas()).isEqualTo(2);
    assertThat(drains.sent).as("sent once, never again").hasSize(1);

    h.tagInEc2(kept.instanceId(), DrainStage.DECISION_TAG, "terminate");
    seconds(h, 40, x -> {});

    assertThat(ids(h.liveInstances())).hasSize(2).doesNotContain(kept.instanceId());
    assertThat(h.status().getDraining()).isEmpty();
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aRolloutWhoseDrainsAreAbandonedStopsAfterOneInsteadOfLaunchingAndAbandoningOnAndOn() {
    LoopHarness h =
        converged(
            3,
            webhook(10, DefaultResult.Abandon)
                .andThen(
                    s -> {
                      s.setStrategy(rolling(1, 0));
                      s.getTemplate().setSubnetIds(List.of("subnet-a"));
                    }));
    FakeDrains drains = new FakeDrains(h);
    drains.answer = FakeDrains.Answer.FAILURE;
    h.useDrains(drains);
    int runsBefore = h.runRequests().size();

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    seconds(h, 600, x -> {});

    assertThat(h.runRequests().size() - runsBefore).as("launches").isEqualTo(1);
    assertThat(h.status().getDraining())
        .singleElement()
        .satisfies(d -> assertThat(d.phase()).isEqualTo("Abandoned"));
    assertThat(h.liveInstances()).hasSize(4);
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo("DrainAbandoned");
  }

  @Test
  void aHookThatTimesOutWithContinueTerminatesAfterTheTimeout() {
    LoopHarness h = converged(2, webhook(10, DefaultResult.Continue));
    FakeDrains drains = new FakeDrains(h);
    drains.answer = FakeDrains.Answer.NEVER;
    h.useDrains(drains);

    h.scale(1);
    seconds(h, 30, x -> {});

    assertThat(h.liveInstances()).hasSize(1);
    String gone = drains.sent.get(0).instanceId();
    assertDrainedBeforeTerminated(h, Set.of(gone));
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("DrainFailed"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("TimedOut").contains(gone));
    int terminatedAt = h.entries(FakeEc2.TERMINATE).get(0).seq();
    assertThat(terminatedAt).isPositive();
  }

  @Test
  void afterARestartMidHookAWebhookIsSentAgainAndTheDrainFinishes() {
    LoopHarness h = converged(2, webhook(60, DefaultResult.Continue));
    FakeDrains drains = new FakeDrains(h);
    drains.takes = Duration.ofSeconds(10);
    h.useDrains(drains);

    h.scale(1);
    seconds(h, 4, x -> {});
    String draining = drains.sent.get(0).instanceId();
    assertThat(h.status().getDraining()).extracting(DrainStatus::phase).containsExactly("Running");

    h.restart();
    drains.restart(); // the request's answer is lost with the process
    seconds(h, 30, x -> {});

    assertThat(drains.callsFor(draining))
        .extracting(FakeDrains.Call::attempt)
        .containsExactly(1, 2);
    assertThat(ids(h.liveInstances())).hasSize(1).doesNotContain(draining);
    assertThat(h.events).extracting(LoopHarness.Event::reason).contains("DrainResent");
  }

  @Test
  void afterARestartMidHookAnSsmCommandIsPolledByItsIdNotSentAgain() {
    LoopHarness h = converged(2, ssm(60));
    FakeDrains drains = new FakeDrains(h);
    drains.takes = Duration.ofSeconds(10);
    h.useDrains(drains);

    h.scale(1);
    seconds(h, 4, x -> {});
    String draining = drains.sent.get(0).instanceId();
    assertThat(h.status().getDraining())
        .singleElement()
        .satisfies(d -> assertThat(d.commandId()).isEqualTo("cmd-1"));

    h.restart();
    drains.restart();
    seconds(h, 30, x -> {});

    assertThat(drains.callsFor(draining)).hasSize(1);
    assertThat(ids(h.liveInstances())).hasSize(1).doesNotContain(draining);
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }

  @Test
  void aDrainOfAnInstanceAwsWillTakeEndsWithTheNoticeEvenUnderAbandon() {
    // a drain service that never answers, a 10-minute hook timeout and Abandon: without the
    // notice the instance would be kept; AWS takes it in 120 s whatever the operator does
    LoopHarness h = converged(2, webhook(600, DefaultResult.Abandon));
    FakeDrains drains = new FakeDrains(h);
    drains.answer = FakeDrains.Answer.NEVER;
    h.useDrains(drains);
    Instance doomed = h.liveInstances().get(0);
    java.time.Instant deadline = h.clock.instant().plusSeconds(120);
    h.interrupt(
        doomed.id(),
        new dev.serverfleet.operator.fleet.Interruption(
            dev.serverfleet.operator.fleet.Interruption.Kind.SPOT_INTERRUPTION,
            deadline,
            "terminate"));

    seconds(h, 180, x -> {});

    assertThat(drains.sent).extracting(FakeDrains.Call::instanceId).contains(doomed.id());
    assertDrainedBeforeTerminated(h, Set.of(doomed.id()));
    assertThat(h.fake.instance(doomed.id()).orElseThrow().state().isLive()).isFalse();
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("DrainFailed");
              assertThat(e.message()).contains("the interruption notice ended at " + deadline);
            });
    assertThat(h.events).extracting(LoopHarness.Event::reason).doesNotContain("DrainAbandoned");
    assertThat(h.liveInstances()).hasSize(2);
  }
}
