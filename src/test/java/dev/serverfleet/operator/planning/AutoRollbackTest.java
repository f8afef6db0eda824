package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.planning.AutoRollback.Facts;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a rollout rolls itself back, and every reason it does not. */
class AutoRollbackTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(String name, Facts facts, Optional<String> expected) {
    assertThat(AutoRollback.reason(facts)).isEqualTo(expected);
  }

  private static Facts facts(
      boolean enabled,
      Optional<String> complete,
      boolean inProgress,
      boolean deadline,
      int fresh,
      int unhealthy,
      int maxPercent) {
    return new Facts(enabled, "new", complete, inProgress, deadline, fresh, unhealthy, maxPercent);
  }

  static Stream<Arguments> cases() {
    Optional<String> old = Optional.of("old");
    String health =
        "1 of 1 instance(s) on revision new failed health (healthCheck.maxUnhealthyPercent 20)";
    String deadline = "the rollout of revision new passed progressDeadlineSeconds";
    return Stream.of(
        Arguments.of("off: never", facts(false, old, true, true, 1, 1, 20), Optional.empty()),
        Arguments.of(
            "no complete revision to return to",
            facts(true, Optional.empty(), true, true, 1, 1, 20),
            Optional.empty()),
        Arguments.of(
            "the complete revision is the current one",
            facts(true, Optional.of("new"), true, true, 1, 1, 20),
            Optional.empty()),
        Arguments.of(
            "no rollout in progress", facts(true, old, false, true, 1, 1, 20), Optional.empty()),
        Arguments.of(
            "healthy and in time", facts(true, old, true, false, 3, 0, 20), Optional.empty()),
        Arguments.of(
            "unhealthy share above the limit",
            facts(true, old, true, false, 1, 1, 20),
            Optional.of(health)),
        Arguments.of(
            "unhealthy share exactly at the limit is allowed: 1 of 5 at 20%",
            facts(true, old, true, false, 5, 1, 20), Optional.empty()),
        Arguments.of(
            "just above: 2 of 5 at 20%",
            facts(true, old, true, false, 5, 2, 20),
            Optional.of(
                "2 of 5 instance(s) on revision new failed health (healthCheck.maxUnhealthyPercent"
                    + " 20)")),
        Arguments.of(
            "deadline passed", facts(true, old, true, true, 0, 0, 20), Optional.of(deadline)),
        Arguments.of(
            "no instance of the new revision yet, nothing to judge health by",
            facts(true, old, true, false, 0, 0, 20),
            Optional.empty()),
        Arguments.of(
            "health is named first when both apply",
            facts(true, old, true, true, 1, 1, 20),
            Optional.of(health)));
  }
}
