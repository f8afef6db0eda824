package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.planning.DrainMachine.Act;
import dev.serverfleet.operator.planning.DrainMachine.Probe;
import dev.serverfleet.operator.planning.DrainMachine.Rules;
import dev.serverfleet.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of {@link DrainMachine}'s table, then whole drains walked with a clock. */
class DrainMachineTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Rules CONTINUE = new Rules(Duration.ofSeconds(30), false);
  private static final Rules ABANDON = new Rules(Duration.ofSeconds(30), true);

  private static Drain running(int attempts) {
    return new Drain(
        "i-1", "Rollout", "webhook", Drain.Phase.RUNNING, T0, attempts, null, null, null, null);
  }

  private static Drain in(Drain.Phase phase) {
    return new Drain("i-1", "Rollout", "webhook", phase, T0, 1, null, T0.plusSeconds(3), "x", null);
  }

  static Stream<Arguments> rows() {
    Instant early = T0.plusSeconds(10);
    Instant late = T0.plusSeconds(30);
    return Stream.of(
        row(
            "new drain: send",
            running(0),
            Probe.NONE,
            CONTINUE,
            early,
            false,
            Drain.Phase.RUNNING,
            Act.SEND),
        row(
            "answer lost (restart): send again",
            running(1),
            Probe.NONE,
            CONTINUE,
            early,
            false,
            Drain.Phase.RUNNING,
            Act.SEND),
        row(
            "in flight: wait",
            running(1),
            Probe.IN_FLIGHT,
            CONTINUE,
            early,
            false,
            Drain.Phase.RUNNING,
            Act.WAIT),
        row(
            "succeeded: terminate",
            running(1),
            Probe.SUCCEEDED,
            CONTINUE,
            early,
            false,
            Drain.Phase.SUCCEEDED,
            Act.TERMINATE),
        row(
            "succeeded, Abandon rules: terminate",
            running(1),
            Probe.SUCCEEDED,
            ABANDON,
            early,
            false,
            Drain.Phase.SUCCEEDED,
            Act.TERMINATE),
        row(
            "failed, Continue: terminate",
            running(1),
            Probe.FAILED,
            CONTINUE,
            early,
            false,
            Drain.Phase.FAILED,
            Act.TERMINATE),
        row(
            "failed, Abandon: keep",
            running(1),
            Probe.FAILED,
            ABANDON,
            early,
            false,
            Drain.Phase.ABANDONED,
            Act.KEEP),
        row(
            "in flight past the timeout, Continue: terminate",
            running(1),
            Probe.IN_FLIGHT,
            CONTINUE,
            late,
            false,
            Drain.Phase.TIMED_OUT,
            Act.TERMINATE),
        row(
            "in flight past the timeout, Abandon: keep",
            running(1),
            Probe.IN_FLIGHT,
            ABANDON,
            late,
            false,
            Drain.Phase.ABANDONED,
            Act.KEEP),
        row(
            "never sent and past the timeout: timed out, not sent",
            running(0),
            Probe.NONE,
            CONTINUE,
            late,
            false,
            Drain.Phase.TIMED_OUT,
            Act.TERMINATE),
        row(
            "an answer at the deadline still counts",
            running(1),
            Probe.SUCCEEDED,
            CONTINUE,
            late,
            false,
            Drain.Phase.SUCCEEDED,
            Act.TERMINATE),
        row(
            "succeeded earlier, termination failed: terminate again",
            in(Drain.Phase.SUCCEEDED),
            Probe.NONE,
            CONTINUE,
            late,
            false,
            Drain.Phase.SUCCEEDED,
            Act.TERMINATE),
        row(
            "failed earlier (Continue): terminate again",
            in(Drain.Phase.FAILED),
            Probe.NONE,
            CONTINUE,
            late,
            false,
            Drain.Phase.FAILED,
            Act.TERMINATE),
        row(
            "timed out earlier (Continue): terminate again",
            in(Drain.Phase.TIMED_OUT),
            Probe.NONE,
            CONTINUE,
            late,
            false,
            Drain.Phase.TIMED_OUT,
            Act.TERMINATE),
        row(
            "abandoned: kept",
            in(Drain.Phase.ABANDONED),
            Probe.NONE,
            ABANDON,
            late,
            false,
            Drain.Phase.ABANDONED,
            Act.KEEP),
        row(
            "abandoned, a person says terminate",
            in(Drain.Phase.ABANDONED),
            Probe.NONE,
            ABANDON,
            late,
            true,
            Drain.Phase.ABANDONED,
            Act.TERMINATE));
  }

  private static Arguments row(
      String name,
      Drain d,
      Probe p,
      Rules r,
      Instant now,
      boolean person,
      Drain.Phase phase,
      Act act) {
    return Arguments.of(name, d, p, r, now, person, phase, act);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void eachRow(
      String name,
      Drain d,
      Probe probe,
      Rules rules,
      Instant now,
      boolean person,
      Drain.Phase phase,
      Act act) {
    DrainMachine.Step step = DrainMachine.next(d, probe, "detail", rules, now, person);
    assertThat(step.drain().phase()).isEqualTo(phase);
    assertThat(step.act()).isEqualTo(act);
    assertThat(step.drain().startedAt()).as("the start is kept").isEqualTo(T0);
    boolean ends = d.phase() == Drain.Phase.RUNNING && phase != Drain.Phase.RUNNING;
    assertThat(step.ended().isPresent()).as("an outcome is announced once").isEqualTo(ends);
    if (ends) {
      assertThat(step.drain().finishedAt()).isEqualTo(now);
    }
  }

  /** A drain walked pass by pass as the controller would, with a clock: start, run, succeed. */
  @Test
  void startRunSucceedTerminate() {
    MutableClock clock = new MutableClock(T0);
    Drain d = Drain.start("i-1", "ScaleIn", "ssmCommand", clock.instant());
    DrainMachine.Step s = DrainMachine.next(d, Probe.NONE, null, CONTINUE, clock.instant(), false);
    assertThat(s.act()).isEqualTo(Act.SEND);
    d = DrainMachine.sent(d, "cmd-1");
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(d.handle()).isEqualTo("cmd-1");
    for (int pass = 0; pass < 5; pass++) {
      clock.advance(Duration.ofSeconds(1));
      s = DrainMachine.next(d, Probe.IN_FLIGHT, "InProgress", CONTINUE, clock.instant(), false);
      assertThat(s.act()).isEqualTo(Act.WAIT);
      d = s.drain();
    }
    clock.advance(Duration.ofSeconds(1));
    s = DrainMachine.next(d, Probe.SUCCEEDED, "Success", CONTINUE, clock.instant(), false);
    assertThat(s.act()).isEqualTo(Act.TERMINATE);
    assertThat(s.ended()).contains(Drain.Phase.SUCCEEDED);
    assertThat(s.drain().finishedAt()).isEqualTo(T0.plusSeconds(6));
  }

  /**
   * An operator restart mid-hook: the drain comes back from status. A webhook's answer is lost with
   * the process (probe NONE): sent again, within the first start's timeout. An SSM command keeps
   * its id and is polled, not resent.
   */
  @Test
  void aRestartResumesWithinTheFirstTimeout() {
    Drain sent = DrainMachine.sent(running(0), null);
    Instant afterRestart = T0.plusSeconds(20);
    DrainMachine.Step s = DrainMachine.next(sent, Probe.NONE, null, CONTINUE, afterRestart, false);
    assertThat(s.act()).isEqualTo(Act.SEND);
    Drain resent = DrainMachine.sent(s.drain(), null);
    assertThat(resent.attempts()).isEqualTo(2);
    DrainMachine.Step late =
        DrainMachine.next(resent, Probe.IN_FLIGHT, null, ABANDON, T0.plusSeconds(30), false);
    assertThat(late.drain().phase())
        .as("the timeout counts from the first start")
        .isEqualTo(Drain.Phase.ABANDONED);
    assertThat(late.ended()).isEqualTo(Optional.of(Drain.Phase.TIMED_OUT));
    assertThat(late.drain().message()).contains("TimedOut").contains("Abandon");

    Drain ssm = DrainMachine.sent(Drain.start("i-1", "Rollout", "ssmCommand", T0), "cmd-9");
    DrainMachine.Step polled =
        DrainMachine.next(ssm, Probe.IN_FLIGHT, "InProgress", CONTINUE, afterRestart, false);
    assertThat(polled.act()).isEqualTo(Act.WAIT);
    assertThat(polled.drain().handle()).isEqualTo("cmd-9");
  }

  @Test
  void anInterruptionNoticeEndsTheDrainEarlierAndTheInstanceGoesEvenUnderAbandon() {
    Rules bounded = ABANDON.boundedBy(T0.plusSeconds(10));
    assertThat(DrainMachine.deadline(running(1), bounded)).isEqualTo(T0.plusSeconds(10));

    var before =
        DrainMachine.next(running(1), Probe.IN_FLIGHT, null, bounded, T0.plusSeconds(9), false);
    assertThat(before.act()).isEqualTo(Act.WAIT);

    var at =
        DrainMachine.next(running(1), Probe.IN_FLIGHT, null, bounded, T0.plusSeconds(10), false);
    assertThat(at.act()).isEqualTo(Act.TERMINATE);
    assertThat(at.drain().phase()).isEqualTo(Drain.Phase.TIMED_OUT);
    assertThat(at.drain().message()).contains("the interruption notice ended at");

    var failed =
        DrainMachine.next(running(1), Probe.FAILED, "503", bounded, T0.plusSeconds(2), false);
    assertThat(failed.act())
        .as("AWS takes it anyway: Abandon cannot keep it")
        .isEqualTo(Act.TERMINATE);
  }

  @Test
  void aNoticeLaterThanTheTimeoutLeavesTheTimeoutInCharge() {
    Rules bounded = CONTINUE.boundedBy(T0.plusSeconds(120));
    assertThat(DrainMachine.deadline(running(1), bounded)).isEqualTo(T0.plusSeconds(30));
    var at =
        DrainMachine.next(running(1), Probe.IN_FLIGHT, null, bounded, T0.plusSeconds(30), false);
    assertThat(at.drain().message()).contains("no answer within 30s");
  }
}
