package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.planning.Intent.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of the state table in {@link LaunchLedger}'s class comment, one case per transition.
 */
class LaunchLedgerTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final PlanInput.Timing TIMING =
      new PlanInput.Timing(Duration.ofSeconds(30), Duration.ofMinutes(5));
  private static final String REV = "rev";
  private static final Instant NOW = T0.plus(Duration.ofMinutes(1));

  private static Intent in(
      State state, int attempts, Instant since, String revision, List<String> ids) {
    return new Intent("tok", "subnet-a", 2, revision, T0, state, attempts, since, ids);
  }

  /**
   * What {@link LaunchLedger#review} makes of one recorded intent: gone (observed), or its state
   * and whether a retry is due.
   */
  record Reviewed(Optional<State> state, boolean retryDue) {
    static Reviewed gone() {
      return new Reviewed(Optional.empty(), false);
    }

    static Reviewed as(State state, boolean retryDue) {
      return new Reviewed(Optional.of(state), retryDue);
    }
  }

  static Stream<Arguments> reviews() {
    Instant justNow = NOW.minusSeconds(1);
    Instant longAgo = NOW.minus(Duration.ofMinutes(10));
    return Stream.of(
        Arguments.of(
            "WRITTEN read back → UNKNOWN: the writer may have died mid-call",
            in(State.WRITTEN, 0, justNow, REV, List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, false)),
        Arguments.of(
            "WRITTEN read back, retryAfter passed → UNKNOWN, retry due (same token)",
            in(State.WRITTEN, 0, NOW.minus(TIMING.retryAfter()), REV, List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, true)),
        Arguments.of(
            "UNKNOWN before retryAfter → waits",
            in(State.UNKNOWN, 1, justNow, REV, List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, false)),
        Arguments.of(
            "UNKNOWN at retryAfter → retry due",
            in(State.UNKNOWN, 1, NOW.minus(TIMING.retryAfter()), REV, List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, true)),
        Arguments.of(
            "UNKNOWN however old → still a retry, never expires",
            in(State.UNKNOWN, 9, longAgo, REV, List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, true)),
        Arguments.of(
            "UNKNOWN of an older revision, before retryAfter → waits",
            in(State.UNKNOWN, 1, justNow, "old", List.of()),
            0L,
            Reviewed.as(State.UNKNOWN, false)),
        Arguments.of(
            "UNKNOWN of an older revision at retryAfter → LOOKUP (EC2 would refuse the token with other parameters)",
            in(State.UNKNOWN, 1, NOW.minus(TIMING.retryAfter()), "old", List.of()),
            0L,
            Reviewed.as(State.LOOKUP, false)),
        Arguments.of(
            "UNKNOWN and one instance seen → ACKNOWLEDGED (all-or-nothing launch)",
            in(State.UNKNOWN, 1, justNow, REV, List.of()),
            1L,
            Reviewed.as(State.ACKNOWLEDGED, false)),
        Arguments.of(
            "UNKNOWN and all seen → gone (OBSERVED)",
            in(State.UNKNOWN, 1, justNow, REV, List.of()),
            2L,
            Reviewed.gone()),
        Arguments.of(
            "ACKNOWLEDGED, unseen, before the deadline → counted",
            in(
                State.ACKNOWLEDGED,
                1,
                NOW.minus(TIMING.visibilityDeadline()).plusMillis(1),
                REV,
                List.of("i-1", "i-2")),
            0L,
            Reviewed.as(State.ACKNOWLEDGED, false)),
        Arguments.of(
            "ACKNOWLEDGED, unseen at the deadline → LOOKUP",
            in(
                State.ACKNOWLEDGED,
                1,
                NOW.minus(TIMING.visibilityDeadline()),
                REV,
                List.of("i-1", "i-2")),
            0L,
            Reviewed.as(State.LOOKUP, false)),
        Arguments.of(
            "ACKNOWLEDGED, all seen → gone (OBSERVED)",
            in(State.ACKNOWLEDGED, 1, justNow, REV, List.of("i-1", "i-2")),
            2L,
            Reviewed.gone()),
        Arguments.of(
            "ACKNOWLEDGED, more seen than asked (a foreign copy of the tag is filtered before) → gone",
            in(State.ACKNOWLEDGED, 1, justNow, REV, List.of("i-1", "i-2")),
            3L,
            Reviewed.gone()),
        Arguments.of(
            "LOOKUP stays LOOKUP until settled",
            in(State.LOOKUP, 1, longAgo, REV, List.of()),
            0L,
            Reviewed.as(State.LOOKUP, false)),
        Arguments.of(
            "LOOKUP and its instances seen → ACKNOWLEDGED",
            in(State.LOOKUP, 1, longAgo, REV, List.of()),
            1L,
            Reviewed.as(State.ACKNOWLEDGED, false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reviews")
  void review(String name, Intent recorded, long seen, Reviewed expected) {
    LaunchLedger.Review review =
        LaunchLedger.review(List.of(recorded), Map.of("tok", seen), REV, NOW, TIMING);

    if (expected.state().isEmpty()) {
      assertThat(review.kept()).isEmpty();
      assertThat(review.observed()).extracting(Intent::token).containsExactly("tok");
      return;
    }
    assertThat(review.kept())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(expected.state().get()));
    assertThat(review.unseen()).containsEntry("tok", (int) (recorded.count() - seen));
    assertThat(review.retryDue().isEmpty()).isEqualTo(!expected.retryDue());
  }

  static Stream<Arguments> calls() {
    Intent fresh = new Intent("tok", "subnet-a", 2, REV, NOW);
    Intent unknown = in(State.UNKNOWN, 1, T0, REV, List.of());
    Intent readBack = LaunchLedger.readBack(fresh);
    return Stream.of(
        Arguments.of(
            "WRITTEN + definite refusal on its first attempt → gone (REFUSED)",
            fresh,
            true,
            Optional.empty()),
        Arguments.of(
            "WRITTEN + throttle/5xx/network → UNKNOWN", fresh, false, Optional.of(State.UNKNOWN)),
        Arguments.of(
            "read back (maybe sent by a dead process) + definite refusal → LOOKUP, not gone",
            readBack,
            true,
            Optional.of(State.LOOKUP)),
        Arguments.of(
            "UNKNOWN + definite refusal → LOOKUP: an earlier attempt may have launched",
            unknown,
            true,
            Optional.of(State.LOOKUP)),
        Arguments.of(
            "UNKNOWN + another unknown outcome → UNKNOWN",
            unknown,
            false,
            Optional.of(State.UNKNOWN)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void failedCall(String name, Intent before, boolean definite, Optional<State> expected) {
    Optional<Intent> after = LaunchLedger.failed(before, definite, NOW);

    assertThat(after.map(Intent::state)).isEqualTo(expected);
    after.ifPresent(
        i -> {
          assertThat(i.token()).as("never a new token").isEqualTo(before.token());
          assertThat(i.attempts()).isEqualTo(before.attempts() + 1);
          assertThat(i.since()).isEqualTo(NOW);
        });
  }

  @ParameterizedTest(name = "answered from {0}")
  @MethodSource("states")
  void anAnswerAcknowledgesWithItsIds(State from) {
    Intent after =
        LaunchLedger.answered(in(from, 1, T0, REV, List.of()), List.of("i-1", "i-2"), NOW);

    assertThat(after.state()).isEqualTo(State.ACKNOWLEDGED);
    assertThat(after.instanceIds()).containsExactly("i-1", "i-2");
    assertThat(after.since()).isEqualTo(NOW);
    assertThat(after.attempts()).isEqualTo(2);
  }

  static Stream<State> states() {
    return Stream.of(State.values());
  }

  @ParameterizedTest(name = "lookup from {0}")
  @MethodSource("states")
  void aLookupSettlesWhatEc2Shows(State from) {
    Intent before = in(from, 1, T0, REV, List.of());

    assertThat(LaunchLedger.lookedUp(before, List.of(), NOW))
        .as("nothing found: gone (RESOLVED or LOST)")
        .isEmpty();
    assertThat(LaunchLedger.lookedUp(before, List.of("i-1"), NOW))
        .hasValueSatisfying(
            i -> {
              assertThat(i.state()).isEqualTo(State.ACKNOWLEDGED);
              assertThat(i.count()).as("what a describe shows is all the launch made").isEqualTo(1);
              assertThat(i.instanceIds()).containsExactly("i-1");
            });
  }

  @ParameterizedTest(name = "not sent from {0}")
  @MethodSource("states")
  void aLaunchAPassNeverSentIsGoneOnlyIfNoAttemptWasEverMade(State from) {
    Intent fresh = new Intent("tok", "subnet-a", 2, REV, NOW);
    assertThat(LaunchLedger.notSent(fresh)).isEmpty();

    Intent earlier = in(from, 1, T0, REV, List.of());
    assertThat(LaunchLedger.notSent(earlier)).contains(earlier);
  }

  @ParameterizedTest(name = "next moment of {0}")
  @MethodSource("states")
  void eachStateHasATimer(State state) {
    Intent intent = in(state, 1, T0, REV, List.of());
    Instant expected =
        state == State.ACKNOWLEDGED
            ? T0.plus(TIMING.visibilityDeadline())
            : T0.plus(TIMING.retryAfter());

    assertThat(LaunchLedger.nextMoment(intent, TIMING)).isEqualTo(expected);
  }
}
