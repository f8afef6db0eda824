package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.planning.CheckpointGate.Counts;
import dev.serverfleet.operator.planning.CheckpointGate.Decision;
import dev.serverfleet.operator.planning.CheckpointGate.Hold;
import dev.serverfleet.operator.planning.CheckpointGate.Recorded;
import dev.serverfleet.operator.planning.CheckpointGate.Spec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a checkpoint is approached, reached, held and passed. */
class CheckpointGateTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Spec TIMED = new Spec(List.of(10, 50), Optional.of(Duration.ofMinutes(5)));
  private static final Spec MANUAL = new Spec(List.of(10, 50), Optional.empty());

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(
      String name, Spec spec, Recorded recorded, Counts counts, Instant now, Decision expected) {
    assertThat(CheckpointGate.decide(spec, recorded, counts, now)).isEqualTo(expected);
  }

  static Stream<Arguments> cases() {
    Hold at10Timed = new Hold(10, 1, T0, Optional.of(T0.plusSeconds(300)));
    Hold at10Manual = new Hold(10, 1, T0, Optional.empty());
    Hold at50Timed = new Hold(50, 5, T0.plusSeconds(400), Optional.of(T0.plusSeconds(700)));
    return Stream.of(
        c(
            "no checkpoints: no cap",
            Spec.NONE,
            Recorded.NONE,
            new Counts(10, 0, 10, false),
            T0,
            new Decision(CheckpointGate.NO_CAP, Recorded.NONE, false)),
        c(
            "no old instance left: not a rollout, no cap",
            TIMED,
            Recorded.NONE,
            new Counts(10, 3, 0, false),
            T0,
            new Decision(CheckpointGate.NO_CAP, Recorded.NONE, false)),
        c(
            "on the way to 10%: capped at 1 instance",
            TIMED,
            Recorded.NONE,
            new Counts(10, 0, 10, false),
            T0,
            new Decision(1, Recorded.NONE, false)),
        c(
            "10% reached: holds until reachedAt + pauseSeconds",
            TIMED,
            Recorded.NONE,
            new Counts(10, 1, 10, false),
            T0,
            new Decision(1, new Recorded(0, Optional.of(at10Timed)), false)),
        c(
            "still holding a second before the end: reachedAt kept",
            TIMED,
            new Recorded(0, Optional.of(at10Timed)),
            new Counts(10, 1, 9, false),
            T0.plusSeconds(299),
            new Decision(1, new Recorded(0, Optional.of(at10Timed)), false)),
        c(
            "bake time over: 10% passed, capped at 50% (5 instances)",
            TIMED,
            new Recorded(0, Optional.of(at10Timed)),
            new Counts(10, 1, 9, false),
            T0.plusSeconds(300),
            new Decision(5, new Recorded(10, Optional.empty()), false)),
        c(
            "50% reached after 10% passed",
            TIMED,
            new Recorded(10, Optional.empty()),
            new Counts(10, 5, 5, false),
            T0.plusSeconds(400),
            new Decision(5, new Recorded(10, Optional.of(at50Timed)), false)),
        c(
            "every checkpoint passed: no cap",
            TIMED,
            new Recorded(50, Optional.empty()),
            new Counts(10, 5, 5, false),
            T0.plusSeconds(800),
            new Decision(CheckpointGate.NO_CAP, new Recorded(50, Optional.empty()), false)),
        c(
            "two checkpoints reached at once with no bake time left: both passed in one pass",
            new Spec(List.of(10, 20), Optional.of(Duration.ZERO)),
            Recorded.NONE,
            new Counts(10, 3, 7, false),
            T0,
            new Decision(CheckpointGate.NO_CAP, new Recorded(20, Optional.empty()), false)),
        c(
            "manual: reaching 10% asks for spec.paused",
            MANUAL,
            Recorded.NONE,
            new Counts(10, 1, 10, false),
            T0,
            new Decision(1, new Recorded(0, Optional.of(at10Manual)), true)),
        c(
            "manual: paused already set when reached (a crash after the spec write): no new request",
            MANUAL,
            Recorded.NONE,
            new Counts(10, 1, 10, true),
            T0,
            new Decision(1, new Recorded(0, Optional.of(at10Manual)), false)),
        c(
            "manual: still paused, still holding",
            MANUAL,
            new Recorded(0, Optional.of(at10Manual)),
            new Counts(10, 1, 9, true),
            T0.plusSeconds(3600),
            new Decision(1, new Recorded(0, Optional.of(at10Manual)), false)),
        c(
            "manual: paused cleared while holding: 10% passed, on to 50%",
            MANUAL,
            new Recorded(0, Optional.of(at10Manual)),
            new Counts(10, 1, 9, false),
            T0.plusSeconds(3600),
            new Decision(5, new Recorded(10, Optional.empty()), false)),
        c(
            "a checkpoint that stands for the whole fleet is none: 50% of 1 is 1",
            TIMED,
            Recorded.NONE,
            new Counts(1, 0, 1, false),
            T0,
            new Decision(CheckpointGate.NO_CAP, Recorded.NONE, false)),
        c(
            "fewer available than the checkpoint again (an instance died): capped, no hold",
            TIMED,
            new Recorded(0, Optional.of(at10Timed)),
            new Counts(10, 0, 10, false),
            T0.plusSeconds(100),
            new Decision(1, Recorded.NONE, false)));
  }

  @ParameterizedTest(name = "{0}% of {1} replicas is {2} instance(s)")
  @CsvSource({"10, 10, 1", "10, 25, 3", "50, 10, 5", "1, 3, 1", "99, 10, 10", "33, 3, 1"})
  void instancesFor(int percentage, int replicas, int expected) {
    assertThat(CheckpointGate.instancesFor(percentage, replicas)).isEqualTo(expected);
  }

  private static Arguments c(
      String name, Spec spec, Recorded recorded, Counts counts, Instant now, Decision expected) {
    return Arguments.of(name, spec, recorded, counts, now, expected);
  }
}
