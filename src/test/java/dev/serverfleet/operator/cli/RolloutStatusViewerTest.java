package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cli.RolloutStatusViewer.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the viewer's table, and which row wins when several apply. */
class RolloutStatusViewerTest {
  private static final String WAIT = "Waiting for serverfleet \"web\" rollout to finish: ";
  private static final String OBSERVE = "Waiting for serverfleet spec update to be observed...";
  private static final String DONE = "serverfleet \"web\" successfully rolled out";
  private static final String DEADLINE = "serverfleet \"web\" exceeded its progress deadline";

  static Stream<Arguments> rows() {
    return Stream.of(
        row("no status yet", Fleets.web().noStatus(), waiting(OBSERVE)),
        row("observedGeneration behind", Fleets.web().generation(3, 2L), waiting(OBSERVE)),
        row("observedGeneration missing", Fleets.web().generation(1, null), waiting(OBSERVE)),
        row(
            "not observed beats a deadline of the older generation",
            Fleets.web()
                .generation(3, 2L)
                .condition("Progressing", "False", "ProgressDeadlineExceeded", "late"),
            waiting(OBSERVE)),
        row(
            "auto rollback, with the condition's message",
            Fleets.web()
                .condition(
                    "Degraded",
                    "True",
                    "AutoRolledBack",
                    "rolled back to revision 2: 3 of 3 new instances failed")
                .condition("Progressing", "False", "ProgressDeadlineExceeded", "late"),
            failed(
                "serverfleet \"web\" was rolled back: rolled back to revision 2: 3 of 3 new instances failed")),
        row(
            "auto rollback without a message: the reason in status.rollout.rolledBack",
            Fleets.web()
                .rolledBack("2 of 3 new instances unhealthy")
                .condition("Degraded", "True", "AutoRolledBack", ""),
            failed("serverfleet \"web\" was rolled back: 2 of 3 new instances unhealthy")),
        row(
            "Degraded False AutoRolledBack is no rollback",
            Fleets.web().condition("Degraded", "False", "AutoRolledBack", "old"),
            done()),
        row(
            "Degraded for another reason does not stop the wait",
            Fleets.web().counts(3, 3, 1, 1).condition("Degraded", "True", "LaunchFailed", "no"),
            waiting(WAIT + "1 out of 3 new replicas have been updated...")),
        row(
            "deadline exceeded",
            Fleets.web()
                .counts(3, 4, 1, 3)
                .condition("Progressing", "False", "ProgressDeadlineExceeded", "late"),
            failed(DEADLINE)),
        row(
            "deadline beats a checkpoint",
            Fleets.web()
                .checkpoint(10, 1, null)
                .condition("Progressing", "False", "ProgressDeadlineExceeded", "late"),
            failed(DEADLINE)),
        row(
            "Progressing False for another reason is not a deadline",
            Fleets.web().condition("Progressing", "False", "Paused", "paused"),
            done()),
        row(
            "checkpoint with bake time",
            Fleets.web().counts(10, 10, 1, 10).checkpoint(10, 1, "2025-12-01T10:05:00Z"),
            waiting(
                WAIT
                    + "holding at checkpoint 10% (1 of 10 instances on the new revision) until 2025-12-01T10:05:00Z...")),
        row(
            "checkpoint waiting for resume",
            Fleets.web().counts(10, 10, 5, 10).checkpoint(50, 5, null),
            waiting(
                WAIT
                    + "holding at checkpoint 50% (5 of 10 instances on the new revision) until spec.paused is cleared (kubectl sf rollout resume web)...")),
        row(
            "checkpoint without its replica count uses updatedReplicas",
            Fleets.web().counts(10, 10, 2, 10).checkpoint(20, null, null),
            waiting(
                WAIT
                    + "holding at checkpoint 20% (2 of 10 instances on the new revision) until spec.paused is cleared (kubectl sf rollout resume web)...")),
        row(
            "new replicas being updated",
            Fleets.web().counts(3, 4, 1, 3),
            waiting(WAIT + "1 out of 3 new replicas have been updated...")),
        row(
            "old replicas pending termination",
            Fleets.web().counts(3, 5, 3, 3),
            waiting(WAIT + "2 old replicas are pending termination...")),
        row(
            "updated replicas becoming available",
            Fleets.web().counts(3, 3, 3, 1),
            waiting(WAIT + "1 of 3 updated replicas are available...")),
        row("done", Fleets.web().counts(3, 3, 3, 3), done()),
        row(
            "done with RolloutComplete",
            Fleets.web().condition("Progressing", "True", "RolloutComplete", "ok"),
            done()),
        row("scaled to zero", Fleets.web().counts(0, 0, 0, 0), done()),
        row(
            "scale-up counts as updating",
            Fleets.web().counts(5, 3, 3, 3),
            waiting(WAIT + "3 out of 5 new replicas have been updated...")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void verdict(String row, Fleets fleet, Verdict expected) {
    assertThat(RolloutStatusViewer.view(fleet.build())).isEqualTo(expected);
  }

  private static Arguments row(String name, Fleets fleet, Verdict expected) {
    return Arguments.of(name, fleet, expected);
  }

  private static Verdict waiting(String message) {
    return new Verdict(message, false, false);
  }

  private static Verdict failed(String message) {
    return new Verdict(message, true, true);
  }

  private static Verdict done() {
    return new Verdict(DONE, true, false);
  }
}
