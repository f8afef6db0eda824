package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HistoryTest {
  /** Revisions 1, 2, 4 and 7 (3, 5, 6 pruned or renumbered), hashes h1, h2, h4, h7. */
  private static final History HISTORY =
      new History(List.of(entry(7, "h7"), entry(1, "h1"), entry(4, "h4"), entry(2, "h2")));

  static Stream<Arguments> undoTargets() {
    return Stream.of(
        // current hash, status number, --to-revision -> target number, already current
        Arguments.of("h7", 7L, 0L, 4L, false),
        Arguments.of("h4", 4L, 0L, 2L, false),
        Arguments.of("h2", 2L, 0L, 1L, false),
        Arguments.of("h7", null, 0L, 4L, false),
        Arguments.of(null, 4L, 0L, 2L, false),
        Arguments.of(null, null, 0L, 4L, false),
        Arguments.of("h4", 7L, 0L, 2L, false),
        Arguments.of("gone", 7L, 0L, 4L, false),
        Arguments.of("h7", 7L, 2L, 2L, false),
        Arguments.of("h7", 7L, 7L, 7L, true),
        Arguments.of("h2", 7L, 2L, 2L, true),
        Arguments.of("h1", 1L, 4L, 4L, false));
  }

  @ParameterizedTest(name = "current {0} (#{1}), --to-revision={2} -> {3}")
  @MethodSource("undoTargets")
  void undoTarget(String hash, Long number, long to, long target, boolean alreadyCurrent) {
    assertThat(HISTORY.undoTarget(hash, number, to))
        .isEqualTo(new History.UndoTarget(target, alreadyCurrent));
  }

  @Test
  void undoErrorsAsKubectlWordsThem() {
    assertThatThrownBy(() -> HISTORY.undoTarget("h7", 7L, 3))
        .hasMessage("error: unable to find specified revision 3 in history");
    assertThatThrownBy(() -> HISTORY.undoTarget("h1", 1L, 0))
        .hasMessage("error: no last revision to roll back to");
    assertThatThrownBy(() -> new History(List.of()).undoTarget("h1", 1L, 0))
        .hasMessage("error: no rollout history found");
    assertThatThrownBy(() -> new History(List.of()).undoTarget("h1", 1L, 2))
        .hasMessage("error: no rollout history found");
  }

  @Test
  void instanceRevisionsByNumberWhileInHistory() {
    assertThat(HISTORY.nameOf("h4")).isEqualTo("4");
    assertThat(HISTORY.nameOf("3c9f5d2a1b")).isEqualTo("3c9f5d2a1b");
    assertThat(HISTORY.nameOf(null)).isEqualTo("<none>");
  }

  @Test
  void readsControllerRevisionsAsTheOperatorWritesThem() {
    ControllerRevision second =
        revision("web-b2", 2, Map.of(FleetRevisions.REVISION, "b2"), "ami-0fedcba9876543210");
    second.getMetadata().setAnnotations(Map.of(FleetRevisions.CHANGE_CAUSE, "new AMI"));
    ControllerRevision first = revision("web-a1", 1, Map.of(), "ami-0abcdef1234567890");

    History history = History.of("web", List.of(second, first));

    assertThat(history.entries()).extracting(History.Entry::number).containsExactly(1L, 2L);
    History.Entry latest = history.entries().get(1);
    assertThat(latest.hash()).isEqualTo("b2");
    assertThat(latest.template().getAmiId()).isEqualTo("ami-0fedcba9876543210");
    assertThat(latest.template().getInstanceType()).isEqualTo("t3.micro");
    assertThat(latest.data().restartedAt()).isEqualTo("2025-12-01T09:00:00Z");
    assertThat(latest.annotation(FleetRevisions.CHANGE_CAUSE)).contains("new AMI");
    // no revision label: the hash is the name after "<fleet>-"
    assertThat(history.entries().get(0).hash()).isEqualTo("a1");
  }

  private static ControllerRevision revision(
      String name, long number, Map<String, String> labels, String ami) {
    return new ControllerRevisionBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withRevision(number)
        .withData(
            Map.of(
                "template",
                Map.of("amiId", ami, "instanceType", "t3.micro", "futureField", 1),
                "restartedAt",
                "2025-12-01T09:00:00Z"))
        .build();
  }

  private static History.Entry entry(long number, String hash) {
    return new History.Entry(number, hash, null, Map.of());
  }
}
