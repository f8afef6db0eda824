package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeSsm;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine.Probe;
import dev.serverfleet.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSM action against the in-memory SSM: the outcomes moto cannot produce, and the budget. */
class SsmDrainsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final FakeSsm ssm = new FakeSsm();
  private final SsmDrains drains = new SsmDrains(ssm, clock, 3);
  private final ServerFleet fleet = LoopHarness.newFleet(1);
  private final Instance instance =
      new Instance(
          "i-1", InstanceState.RUNNING, "ami-1", "t3.micro", "s", "z", "10.0.0.1", null, Map.of());

  private static SsmCommandAction action() {
    SsmCommandAction a = new SsmCommandAction();
    a.setDocumentName("AWS-RunShellScript");
    a.setParameters(Map.of("commands", List.of("true")));
    return a;
  }

  private Drain sent() {
    Drain d = Drain.start("i-1", "ScaleIn", "ssmCommand", clock.instant());
    DrainActions.Sent s = drains.send(fleet, action(), instance, d);
    assertThat(s.accepted()).isTrue();
    return dev.serverfleet.operator.planning.DrainMachine.sent(d, s.handle());
  }

  @ParameterizedTest
  @CsvSource({
    "Pending, IN_FLIGHT",
    "InProgress, IN_FLIGHT",
    "Delayed, IN_FLIGHT",
    "Success, SUCCEEDED",
    "Failed, FAILED",
    "TimedOut, FAILED",
    "Cancelled, FAILED",
    "Cancelling, FAILED",
    "Undeliverable, FAILED"
  })
  void anInvocationStatusIsReadAs(String status, Probe expected) {
    Drain d = sent();
    ssm.set(d.handle(), status);
    clock.advance(Duration.ofSeconds(1));
    assertThat(drains.probe(d).probe()).isEqualTo(expected);
  }

  @Test
  void aCommandNotVisibleYetOrAFailedReadIsStillRunning() {
    ssm.newCommandsStart(null);
    Drain d = sent();
    assertThat(drains.probe(d).probe()).isEqualTo(Probe.IN_FLIGHT);
    ssm.failNext(
        ErrorClassifier.fromCode("GetCommandInvocation", "ThrottlingException", "slow", 400));
    assertThat(drains.probe(d).probe()).isEqualTo(Probe.IN_FLIGHT);
  }

  @Test
  void aRefusedSendCommandFailsTheDrainAndAThrottledOneIsTriedAgainLater() {
    Drain d = Drain.start("i-1", "ScaleIn", "ssmCommand", clock.instant());
    ssm.failNext(ErrorClassifier.fromCode("SendCommand", "InvalidInstanceId", "not managed", 400));
    DrainActions.Sent refused = drains.send(fleet, action(), instance, d);
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.refused())
        .hasValueSatisfying(m -> assertThat(m).contains("InvalidInstanceId"));

    clock.advance(Duration.ofSeconds(1));
    ssm.failNext(ErrorClassifier.fromCode("SendCommand", "ThrottlingException", "slow", 400));
    DrainActions.Sent throttled = drains.send(fleet, action(), instance, d);
    assertThat(throttled.accepted()).isFalse();
    assertThat(throttled.refused()).isEmpty();
  }

  @Test
  void aDrainWithoutCommandIdHasNothingToPollAndOneWithItIsPolledNotResent() {
    assertThat(drains.probe(Drain.start("i-1", "ScaleIn", "ssmCommand", clock.instant())).probe())
        .isEqualTo(Probe.NONE);
    Drain d = sent();
    clock.advance(Duration.ofSeconds(1));
    drains.probe(d);
    assertThat(ssm.sent()).hasSize(1);
    assertThat(ssm.polls()).containsExactly(d.handle());
  }

  @Test
  void callsBeyondTheBudgetOfASecondWaitForALaterPass() {
    Drain d = sent(); // 1 of 3
    drains.probe(d); // 2
    drains.probe(d); // 3
    DrainActions.Probed over = drains.probe(d);
    assertThat(over.probe()).isEqualTo(Probe.IN_FLIGHT);
    assertThat(ssm.polls()).hasSize(2);
    DrainActions.Sent deferred =
        drains.send(
            fleet,
            action(),
            instance,
            Drain.start("i-1", "ScaleIn", "ssmCommand", clock.instant()));
    assertThat(deferred.accepted()).isFalse();
    assertThat(deferred.refused()).isEmpty();

    clock.advance(Duration.ofSeconds(1));
    drains.probe(d);
    assertThat(ssm.polls()).hasSize(3);
  }
}
