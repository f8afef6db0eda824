package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What the watch loop prints as versions of the fleet arrive, and when it stops. */
class StatusFollowerTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final StatusFollower follower =
      new StatusFollower(new PrintWriter(out), new PrintWriter(err));

  @Test
  void printsALineOnlyWhenItChangesAndEndsWithExitZero() {
    assertThat(follower.accept(Fleets.web().generation(2, 1L).build())).isEmpty();
    assertThat(follower.accept(Fleets.web().generation(2, 1L).build())).isEmpty();
    assertThat(follower.accept(Fleets.web().generation(2, 2L).counts(3, 4, 1, 3).build()))
        .isEmpty();
    assertThat(follower.accept(Fleets.web().generation(2, 2L).counts(3, 4, 1, 3).build()))
        .isEmpty();
    assertThat(follower.accept(Fleets.web().generation(2, 2L).counts(3, 4, 3, 3).build()))
        .isEmpty();
    assertThat(follower.accept(Fleets.web().generation(2, 2L).build()))
        .isEqualTo(OptionalInt.of(0));

    assertThat(out.toString().lines())
        .containsExactly(
            "Waiting for serverfleet spec update to be observed...",
            "Waiting for serverfleet \"web\" rollout to finish: 1 out of 3 new replicas have been updated...",
            "Waiting for serverfleet \"web\" rollout to finish: 1 old replicas are pending termination...",
            "serverfleet \"web\" successfully rolled out");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFailureGoesToStderrWithExitOne() {
    follower.accept(Fleets.web().counts(3, 4, 1, 3).build());
    OptionalInt code =
        follower.accept(
            Fleets.web()
                .counts(3, 4, 1, 3)
                .condition("Progressing", "False", "ProgressDeadlineExceeded", "late")
                .build());

    assertThat(code).isEqualTo(OptionalInt.of(1));
    assertThat(err.toString())
        .isEqualTo(
            "error: serverfleet \"web\" exceeded its progress deadline" + System.lineSeparator());
    assertThat(out.toString().lines()).hasSize(1);
  }

  @Test
  void aDeletedFleetEndsWithExitOne() {
    assertThat(follower.deleted("web")).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: serverfleet \"web\" was deleted");
  }
}
