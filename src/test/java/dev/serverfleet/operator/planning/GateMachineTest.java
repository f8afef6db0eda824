package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.planning.DrainMachine.Probe;
import dev.serverfleet.operator.planning.GateMachine.Act;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GateMachineTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final GateMachine.Rules SSM =
      new GateMachine.Rules(Duration.ofSeconds(60), 3, Duration.ofSeconds(15));
  private static final GateMachine.Rules WEBHOOK =
      new GateMachine.Rules(Duration.ofSeconds(10), 0, Duration.ofSeconds(5));

  private static Gate sentAt(Instant at, int times, String handle) {
    Gate g = Gate.start("i-1");
    for (int n = 0; n < times; n++) {
      g = GateMachine.sent(g, handle, at);
    }
    return g;
  }

  @Test
  void aNewGateIsSentAtOnce() {
    GateMachine.Step s = GateMachine.next(Gate.start("i-1"), Probe.NONE, null, SSM, T0);
    assertThat(s.act()).isEqualTo(Act.SEND);
    Gate sent = GateMachine.sent(s.gate(), "cmd-1", T0);
    assertThat(sent.attempts()).isEqualTo(1);
    assertThat(sent.commandId()).isEqualTo("cmd-1");
    assertThat(sent.sentAt()).isEqualTo(T0);
  }

  @Test
  void successPasses() {
    GateMachine.Step s = GateMachine.next(sentAt(T0, 1, "c"), Probe.SUCCEEDED, "Success", SSM, T0);
    assertThat(s.gate().phase()).isEqualTo(Gate.Phase.PASSED);
    assertThat(s.gate().passedAt()).isEqualTo(T0);
    assertThat(s.gate().commandId()).isNull();
    assertThat(s.act()).isEqualTo(Act.NONE);
  }

  @Test
  void inFlightWaitsUntilTheAttemptTimesOut() {
    Gate g = sentAt(T0, 1, "c");
    assertThat(GateMachine.next(g, Probe.IN_FLIGHT, "InProgress", SSM, T0.plusSeconds(59)).act())
        .isEqualTo(Act.WAIT);
    GateMachine.Step late = GateMachine.next(g, Probe.IN_FLIGHT, null, SSM, T0.plusSeconds(60));
    assertThat(late.gate().phase()).isEqualTo(Gate.Phase.PENDING);
    assertThat(late.gate().commandId()).as("the timed-out command is dropped").isNull();
    assertThat(late.gate().message()).contains("no result within 60s");
    assertThat(late.act()).isEqualTo(Act.SEND);
  }

  @Test
  void aFailureIsRetriedOnlyAfterAskEvery() {
    Gate g = sentAt(T0, 1, "c");
    GateMachine.Step soon = GateMachine.next(g, Probe.FAILED, "Failed", SSM, T0.plusSeconds(5));
    assertThat(soon.act()).isEqualTo(Act.WAIT);
    assertThat(soon.gate().phase()).isEqualTo(Gate.Phase.PENDING);
    GateMachine.Step later =
        GateMachine.next(soon.gate(), Probe.NONE, null, SSM, T0.plusSeconds(15));
    assertThat(later.act()).isEqualTo(Act.SEND);
  }

  @Test
  void theLastAttemptFailingFailsTheGate() {
    GateMachine.Step s = GateMachine.next(sentAt(T0, 3, "c"), Probe.FAILED, "Failed", SSM, T0);
    assertThat(s.gate().phase()).isEqualTo(Gate.Phase.FAILED);
    assertThat(s.gate().message()).isEqualTo("attempt 3 of 3: Failed");
    assertThat(s.act()).isEqualTo(Act.NONE);
  }

  @Test
  void aWebhookIsAskedAgainWithoutBound() {
    GateMachine.Step s =
        GateMachine.next(
            sentAt(T0, 50, null), Probe.FAILED, "HTTP 503", WEBHOOK, T0.plusSeconds(5));
    assertThat(s.gate().phase()).isEqualTo(Gate.Phase.PENDING);
    assertThat(s.act()).isEqualTo(Act.SEND);
  }

  @Test
  void aRefusedSendIsNoAttemptButWaitsAskEvery() {
    Gate g = GateMachine.refused(Gate.start("i-1"), "InvalidInstanceId", T0);
    assertThat(g.attempts()).isZero();
    assertThat(g.message()).isEqualTo("refused: InvalidInstanceId");
    assertThat(GateMachine.next(g, Probe.NONE, null, SSM, T0.plusSeconds(14)).act())
        .isEqualTo(Act.WAIT);
    assertThat(GateMachine.next(g, Probe.NONE, null, SSM, T0.plusSeconds(15)).act())
        .isEqualTo(Act.SEND);
  }

  @ParameterizedTest
  @EnumSource(Probe.class)
  void passedAndFailedAreFinal(Probe probe) {
    Gate passed = GateMachine.next(sentAt(T0, 1, "c"), Probe.SUCCEEDED, "ok", SSM, T0).gate();
    Gate failed = GateMachine.next(sentAt(T0, 3, "c"), Probe.FAILED, "no", SSM, T0).gate();
    for (Gate g : new Gate[] {passed, failed}) {
      GateMachine.Step s = GateMachine.next(g, probe, "x", SSM, T0.plusSeconds(3600));
      assertThat(s.gate()).isEqualTo(g);
      assertThat(s.act()).isEqualTo(Act.NONE);
    }
  }

  @Test
  void phasesReadBackFromTheirDisplay() {
    for (Gate.Phase p : Gate.Phase.values()) {
      assertThat(Gate.Phase.parse(p.display())).isEqualTo(p);
    }
  }
}
