package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopHarness.AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.NEW_AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static dev.serverfleet.operator.controller.LoopScenarios.converged;
import static dev.serverfleet.operator.controller.LoopScenarios.passTime;
import static dev.serverfleet.operator.controller.LoopScenarios.rolling;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.api.v1alpha1.Checkpoints;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.controller.FleetStore.StoredRevision;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * History, undo, checkpoints and automatic rollback through the loop, the EC2 fake and a status and
 * revision store that behave like the API server's.
 */
class RolloutSafetyLoopTest {
  private static final String THIRD_AMI = "ami-0aaaaaaaaaaaaaaaa";

  @Test
  void everyRevisionIsRecordedOnceAndAReturningTemplateGetsTheNextNumber() {
    LoopHarness h = converged(2, s -> s.setStrategy(rolling(1, 0)));
    String first = h.status().getCurrentRevision();
    assertThat(numbers(h)).containsExactly(first + "#1");
    assertThat(h.status().getRollout().revision()).isEqualTo(1L);
    assertThat(h.status().getRollout().completeRevision()).isEqualTo(first);
    assertThat(h.revisions().get(first).annotations()).containsKey(FleetRevisions.COMPLETED_AT);
    assertThat(h.revisions().get(first).data().template().getSubnetIds())
        .as("subnets are placement, not part of the stored revision")
        .isNull();
    assertThat(h.revisions().get(first).data().template().getMetadataOptions().getHttpTokens())
        .as("stored with defaults written out")
        .isNotNull();

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(100, STEP);
    String second = h.status().getCurrentRevision();
    h.editSpec(s -> s.getTemplate().setAmiId(AMI));
    h.runUntilStable(100, STEP);

    assertThat(h.status().getCurrentRevision()).isEqualTo(first);
    assertThat(numbers(h)).containsExactly(second + "#2", first + "#3");
    assertThat(h.status().getRollout().revision()).isEqualTo(3L);
  }

  @Test
  void historyKeepsTheLimitAndTheCurrentRevision() {
    LoopHarness h = converged(1, s -> s.setRevisionHistoryLimit(1));
    List<String> amis = List.of(NEW_AMI, THIRD_AMI, "ami-0bbbbbbbbbbbbbbbb");
    amis.forEach(h.fake::addAmi);
    for (String ami : amis) {
      h.editSpec(s -> s.getTemplate().setAmiId(ami));
      h.runUntilStable(100, STEP);
    }
    assertThat(h.revisions()).hasSize(2);
    assertThat(h.revisions()).containsKey(h.status().getCurrentRevision());
    assertThat(h.revisions().values()).extracting(StoredRevision::number).containsOnly(3L, 4L);
  }

  @Test
  void undoWritesTheRevisionBackKeepsSubnetsAndSaysSo() {
    LoopHarness h = converged(2, s -> s.setStrategy(rolling(1, 0)));
    String first = h.status().getCurrentRevision();
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(100, STEP);
    h.editSpec(s -> s.getTemplate().setSubnetIds(List.of("subnet-a", "subnet-b")));
    h.runUntilStable(100, STEP);

    h.annotate(ServerFleet.ROLLBACK_TO, "0");
    h.runUntilStable(100, STEP);

    ServerFleet fleet = h.fleet();
    assertThat(fleet.getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(fleet.getSpec().getTemplate().getSubnetIds())
        .containsExactly("subnet-a", "subnet-b");
    assertThat(fleet.getMetadata().getAnnotations()).doesNotContainKey(ServerFleet.ROLLBACK_TO);
    assertThat(h.status().getCurrentRevision()).isEqualTo(first);
    assertThat(h.liveInstances()).hasSize(2).allMatch(i -> AMI.equals(i.imageId()));
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(Rollbacks.ROLLED_BACK))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .contains("from revision 2")
                    .contains("to revision 1 (" + first));
  }

  @Test
  void undoToAnUnknownRevisionOrAGoneAmiIsRefusedAndTheSpecStays() {
    LoopHarness h = converged(1, s -> s.setStrategy(rolling(1, 0)));
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(100, STEP);
    long generation = h.fleet().getMetadata().getGeneration();

    h.annotate(ServerFleet.ROLLBACK_TO, "7");
    h.runUntilStable(20, STEP);
    h.fake.deregisterAmi(AMI);
    h.annotate(ServerFleet.ROLLBACK_TO, "1");
    h.runUntilStable(20, STEP);
    h.annotate(ServerFleet.ROLLBACK_TO, "two");
    h.runUntilStable(20, STEP);

    assertThat(h.fleet().getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(h.fleet().getSpec().getTemplate().getAmiId()).isEqualTo(NEW_AMI);
    assertThat(h.fleet().getMetadata().getAnnotations()).doesNotContainKey(ServerFleet.ROLLBACK_TO);
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(Rollbacks.ROLLBACK_REFUSED))
        .extracting(LoopHarness.Event::message)
        .containsExactly(
            "revision 7 is not in the history (kept: 1, 2)",
            "revision 1 (" + firstHash(h) + ") launches " + AMI + ", which EC2 no longer has",
            ServerFleet.ROLLBACK_TO + " must be a revision number, not 'two'");
  }

  @Test
  void aTimedCheckpointHoldsTheRolloutForItsBakeTime() {
    LoopHarness h = converged(10, s -> s.setStrategy(withCheckpoints(rolling("25%", 0), 120)));
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    List<Integer> freshWhileHolding = new ArrayList<>();
    List<RolloutStatus> rollouts = new ArrayList<>();
    passTime(
        h,
        Duration.ofMinutes(10),
        x -> {
          RolloutStatus r = x.status().getRollout();
          rollouts.add(r);
          if (r != null && r.checkpoint() != null) {
            freshWhileHolding.add(fresh(x));
          }
        });

    assertThat(freshWhileHolding)
        .as("new instances while held: 1 at 10%, then 5 at 50%")
        .containsOnly(1, 5)
        .isSorted()
        .contains(1, 5);
    RolloutStatus held =
        rollouts.stream().filter(r -> r != null && r.checkpoint() != null).findFirst().get();
    assertThat(held.checkpoint().percentage()).isEqualTo(10);
    assertThat(
            Duration.between(
                java.time.Instant.parse(held.checkpoint().reachedAt()),
                java.time.Instant.parse(held.checkpoint().resumeAt())))
        .isEqualTo(Duration.ofSeconds(120));
    assertThat(h.liveInstances()).hasSize(10).allMatch(i -> NEW_AMI.equals(i.imageId()));
    assertThat(h.events)
        .extracting(LoopHarness.Event::reason)
        .containsSubsequence(CheckpointSteps.CHECKPOINT_REACHED, CheckpointSteps.CHECKPOINT_PASSED);
    assertThat(h.condition(Conditions.PROGRESSING).getReason())
        .isEqualTo(Conditions.ROLLOUT_COMPLETE);
  }

  @Test
  void anUntimedCheckpointPausesTheFleetUntilAPersonResumesIt() {
    LoopHarness h = converged(4, s -> s.setStrategy(withCheckpoints(rolling(1, 0), null)));
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    passTime(h, Duration.ofMinutes(10), x -> {});

    assertThat(h.fleet().getSpec().getPaused()).as("the operator paused the fleet").isTrue();
    assertThat(fresh(h)).isEqualTo(1);
    assertThat(h.liveInstances()).hasSize(4);
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("Checkpoint");
    assertThat(h.condition(Conditions.PROGRESSING).getMessage())
        .contains("until spec.paused is cleared");
    assertThat(h.status().getRollout().checkpoint().resumeAt()).isNull();

    h.editSpec(s -> s.setPaused(false));
    h.runUntilStable(100, STEP);
    assertThat(h.fleet().getSpec().getPaused()).as("paused again at 50%").isTrue();
    assertThat(fresh(h)).isEqualTo(2);
    assertThat(h.status().getRollout().checkpoint().percentage()).isEqualTo(50);
    assertThat(h.status().getRollout().passedCheckpoint()).isEqualTo(10);

    h.editSpec(s -> s.setPaused(false));
    h.runUntilStable(100, STEP);
    assertThat(h.liveInstances()).hasSize(4).allMatch(i -> NEW_AMI.equals(i.imageId()));
    assertThat(h.fleet().getSpec().getPaused()).isFalse();
    assertThat(h.status().getRollout().checkpoint()).isNull();
  }

  @Test
  void aFailingNewRevisionIsRolledBackToTheLastCompleteOneAndNotRolledOutAgain() {
    LoopHarness h = converged(4, s -> s.setStrategy(autoRollback(rolling(1, 0))));
    String good = h.status().getCurrentRevision();
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    // the first instance of the new revision stops on its own, as a broken image may
    passTime(
        h,
        Duration.ofMinutes(2),
        x ->
            x.liveInstances().stream()
                .filter(i -> NEW_AMI.equals(i.imageId()))
                .filter(i -> i.state() == dev.serverfleet.operator.fleet.InstanceState.RUNNING)
                .findFirst()
                .ifPresent(i -> x.fake.stop(i.id())));
    h.runUntilStable(100, STEP);

    assertThat(h.fleet().getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(h.status().getCurrentRevision()).isEqualTo(good);
    assertThat(h.liveInstances()).hasSize(4).allMatch(i -> AMI.equals(i.imageId()));
    RolloutStatus.RollbackStatus rb = h.status().getRollout().rolledBack();
    assertThat(rb.to()).isEqualTo(good);
    assertThat(rb.reason()).contains("failed health");
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo(Rollbacks.AUTO_ROLLED_BACK);
    assertThat(h.revisions().get(rb.from()).annotations()).containsKey(FleetRevisions.ROLLED_BACK);
    assertThat(h.events).extracting(LoopHarness.Event::reason).contains(Rollbacks.AUTO_ROLLED_BACK);

    // a GitOps sync puts the bad template back: it is held, not rolled out again
    int runsBefore = h.runRequests().size();
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(100, STEP);
    assertThat(h.runRequests()).hasSize(runsBefore);
    assertThat(h.liveInstances()).hasSize(4).allMatch(i -> AMI.equals(i.imageId()));
    assertThat(h.condition(Conditions.DEGRADED).getReason())
        .isEqualTo(Rollbacks.REVISION_ROLLED_BACK);
  }

  @Test
  void aCrashBetweenRecordingTheRollbackAndWritingTheSpecRepeatsTheRollback() {
    LoopHarness h = converged(3, s -> s.setStrategy(autoRollback(rolling(1, 0))));
    String good = h.status().getCurrentRevision();
    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    Instance canary = null;
    for (int n = 0; n < 20 && canary == null; n++) {
      h.poll();
      if (h.due()) {
        h.step();
      }
      h.clock.advance(STEP);
      canary =
          h.liveInstances().stream()
              .filter(i -> NEW_AMI.equals(i.imageId()))
              .filter(i -> i.state() == dev.serverfleet.operator.fleet.InstanceState.RUNNING)
              .findFirst()
              .orElse(null);
    }
    assertThat(canary).as("a running instance of the new revision").isNotNull();
    h.fake.stop(canary.id());
    h.poll();
    h.crashAfterNextWrite();
    assertThatThrownBy(h::step).isInstanceOf(LoopHarness.OperatorCrash.class);
    assertThat(h.status().getRollout().rolledBack()).as("recorded before the spec").isNotNull();
    assertThat(h.fleet().getSpec().getTemplate().getAmiId())
        .as("the spec not written yet")
        .isEqualTo(NEW_AMI);

    h.restart();
    h.runUntilStable(100, STEP);

    assertThat(h.fleet().getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(h.status().getCurrentRevision()).isEqualTo(good);
    assertThat(h.liveInstances()).hasSize(3).allMatch(i -> AMI.equals(i.imageId()));
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo(Rollbacks.AUTO_ROLLED_BACK);
  }

  @Test
  void aPassedDeadlineRollsBackButNeverIntoAnAmiThatIsGone() {
    LoopHarness h =
        converged(
            2,
            s -> {
              s.setStrategy(autoRollback(rolling(1, 0)));
              s.setProgressDeadlineSeconds(60);
            });
    h.editSpec(s -> s.getTemplate().setAmiId(LoopScenarios.UNKNOWN_AMI));
    h.fake.deregisterAmi(AMI);
    passTime(h, Duration.ofMinutes(5), x -> {});

    assertThat(h.fleet().getSpec().getTemplate().getAmiId()).isEqualTo(LoopScenarios.UNKNOWN_AMI);
    assertThat(h.liveInstances()).hasSize(2).allMatch(i -> AMI.equals(i.imageId()));
    assertThat(h.condition(Conditions.DEGRADED).getReason())
        .as("%s / %s", h.condition(Conditions.PROGRESSING), h.status().getRollout())
        .isEqualTo(Rollbacks.ROLLBACK_IMPOSSIBLE);
    assertThat(h.events)
        .extracting(LoopHarness.Event::reason)
        .doesNotContain(Rollbacks.AUTO_ROLLED_BACK);

    h.fake.addAmi(AMI);
    passTime(h, Duration.ofMinutes(2), x -> {});
    assertThat(h.fleet().getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(h.status().getRollout().rolledBack().reason()).contains("progressDeadlineSeconds");
  }

  private static Strategy withCheckpoints(Strategy strategy, Integer pauseSeconds) {
    Checkpoints c = new Checkpoints();
    c.setPercentages(List.of(10, 50));
    c.setPauseSeconds(pauseSeconds);
    strategy.getRollingUpdate().setCheckpoints(c);
    return strategy;
  }

  private static Strategy autoRollback(Strategy strategy) {
    strategy.setAutoRollback(true);
    return strategy;
  }

  private static int fresh(LoopHarness h) {
    String current = h.status().getCurrentRevision();
    return (int)
        h.liveInstances().stream()
            .filter(i -> current.equals(i.tag(OwnershipTags.REVISION)))
            .count();
  }

  private static List<String> numbers(LoopHarness h) {
    return h.revisions().values().stream()
        .sorted(Comparator.comparingLong(StoredRevision::number))
        .map(r -> r.hash() + "#" + r.number())
        .toList();
  }

  private static String firstHash(LoopHarness h) {
    return h.revisions().values().stream()
        .filter(r -> r.number() == 1)
        .findFirst()
        .map(StoredRevision::hash)
        .orElseThrow();
  }
}
