package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.TargetState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeregistrationTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void aNewDeregistrationSendsThenWaitsThenTerminates() {
    Drain d = Deregistration.start("i-1", "ScaleIn", T0);
    assertThat(Deregistration.next(d, T0.plusSeconds(1)).act()).isEqualTo(DrainMachine.Act.SEND);

    Drain sent = Deregistration.deregistered(d, T0.plusSeconds(1), Duration.ofSeconds(30));
    assertThat(sent.attempts()).isEqualTo(1);
    assertThat(sent.waitUntil()).isEqualTo(T0.plusSeconds(31));
    assertThat(Deregistration.next(sent, T0.plusSeconds(30)).act())
        .isEqualTo(DrainMachine.Act.WAIT);
    assertThat(Deregistration.pollIn(sent, T0.plusSeconds(30))).contains(Duration.ofSeconds(1));

    DrainMachine.Step done = Deregistration.next(sent, T0.plusSeconds(31));
    assertThat(done.act()).isEqualTo(DrainMachine.Act.TERMINATE);
    assertThat(done.drain().phase()).isEqualTo(Drain.Phase.SUCCEEDED);
    assertThat(done.ended()).contains(Drain.Phase.SUCCEEDED);
    // an ended drain whose termination did not go through is terminated again, not re-sent
    assertThat(Deregistration.next(done.drain(), T0.plusSeconds(40)).act())
        .isEqualTo(DrainMachine.Act.TERMINATE);
  }

  @Test
  void theEndOfTheWaitIsRoundedUpToTheSecondStatusKeeps() {
    Drain d = Deregistration.start("i-1", "ScaleIn", T0);
    Drain sent = Deregistration.deregistered(d, T0.plusMillis(1_100), Duration.ofSeconds(3));
    assertThat(sent.waitUntil()).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void aRetryKeepsTheDrainUnsentAndARefusalEndsIt() {
    Drain d = Deregistration.start("i-1", "ScaleIn", T0);
    Drain retry = Deregistration.retry(d, "throttled");
    assertThat(Deregistration.next(retry, T0.plusSeconds(2)).act())
        .isEqualTo(DrainMachine.Act.SEND);
    Drain refused = Deregistration.refused(d, T0.plusSeconds(2), "TargetGroupNotFound");
    assertThat(Deregistration.next(refused, T0.plusSeconds(2)).act())
        .isEqualTo(DrainMachine.Act.TERMINATE);
  }

  @Test
  void theWaitIsTheLongestDelayCapped() {
    assertThat(Deregistration.wait(List.of(30, 300), null)).isEqualTo(Duration.ofSeconds(300));
    assertThat(Deregistration.wait(List.of(30, 300), 60)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Deregistration.wait(List.of(30), 60)).isEqualTo(Duration.ofSeconds(30));
    assertThat(Deregistration.wait(List.of(0), null)).isEqualTo(Duration.ZERO);
    assertThat(Deregistration.wait(List.of(99999), null)).isEqualTo(Duration.ofSeconds(3600));
  }

  @Test
  void targetHealthFoldsIntoOneVerdict() {
    assertThat(TargetState.fold(List.of(TargetState.HEALTHY, TargetState.HEALTHY)))
        .isEqualTo(Health.OK);
    assertThat(TargetState.fold(List.of(TargetState.HEALTHY, TargetState.UNHEALTHY)))
        .isEqualTo(Health.IMPAIRED);
    assertThat(TargetState.fold(List.of(TargetState.HEALTHY, TargetState.INITIAL)))
        .isEqualTo(Health.INITIALIZING);
    assertThat(TargetState.fold(List.of(TargetState.UNUSED))).isEqualTo(Health.INITIALIZING);
    assertThat(TargetState.of("draining").registered()).isFalse();
    assertThat(TargetState.of("unhealthy").registered()).isTrue();
    assertThat(TargetState.of("whatever")).isEqualTo(TargetState.NOT_REGISTERED);
  }
}
