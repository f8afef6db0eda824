package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopHarness.AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.RevisionStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.RolloutBounds;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rollouts, pause, restart, deadlines, protection and rebalancing, through the loop and the EC2
 * fake.
 */
class RolloutLoopTest {
  @Test
  void aNewAmiRollsOneInstanceAtATimeAndReportsProgress() {
    // one subnet: zone balance plays no part here (see the next test)
    LoopHarness h =
        converged(
            3,
            s -> {
              s.setStrategy(rolling(1, 0));
              s.getTemplate().setSubnetIds(List.of("subnet-a"));
            });
    h.fake.setPendingDuration(Duration.ofSeconds(20));
    String oldRevision = h.status().getCurrentRevision();
    Set<String> oldIds = ids(h.liveInstances());
    int runsBefore = h.runRequests().size();
    int writesBefore = h.writes.size();

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    run(
        h,
        200,
        h2 -> {
          assertThat(h2.liveInstances())
              .as("live at most replicas + maxSurge")
              .hasSizeLessThanOrEqualTo(4);
          assertThat(h2.liveInstances())
              .as("running never below replicas - maxUnavailable")
              .filteredOn(i -> i.state() == InstanceState.RUNNING)
              .hasSizeGreaterThanOrEqualTo(3);
        });

    ServerFleetStatus end = h.status();
    String newRevision = end.getCurrentRevision();
    assertThat(newRevision).isNotEqualTo(oldRevision);
    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(
            i -> {
              assertThat(i.imageId()).isEqualTo(NEW_AMI);
              assertThat(i.tag(OwnershipTags.REVISION)).isEqualTo(newRevision);
              assertThat(oldIds).doesNotContain(i.id());
            });
    assertThat(h.runRequests().subList(runsBefore, h.runRequests().size()))
        .as("one at a time")
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.count()).isEqualTo(1));
    assertThat(end.getUpdatedReplicas()).isEqualTo(3);
    assertThat(end.getAvailableReplicas()).isEqualTo(3);
    assertThat(end.getRevisions()).containsExactly(new RevisionStatus(newRevision, 3));
    assertThat(end.getObservedGeneration()).isEqualTo(h.fleet().getMetadata().getGeneration());

    List<ServerFleetStatus> written = h.writes.subList(writesBefore, h.writes.size());
    assertThat(written)
        .extracting(ServerFleetStatus::getUpdatedReplicas)
        .as("updatedReplicas as written")
        .isSorted()
        .containsSubsequence(0, 1, 2, 3);
    assertThat(written)
        .as("two revisions side by side mid-rollout")
        .anySatisfy(
            s ->
                assertThat(s.getRevisions())
                    .containsExactly(
                        new RevisionStatus(newRevision, 1), new RevisionStatus(oldRevision, 3)));
    assertThat(written)
        .extracting(
            s ->
                condition(s, Conditions.PROGRESSING).getStatus()
                    + "/"
                    + condition(s, Conditions.PROGRESSING).getReason())
        .as("Progressing as written")
        .containsSubsequence("True/RollingOut", "True/RolloutComplete")
        .isSubsetOf("True/RollingOut", "True/RolloutComplete")
        .last()
        .isEqualTo("True/RolloutComplete");
    assertThat(written)
        .extracting(s -> condition(s, Conditions.READY).getStatus())
        .as("Ready only at the end")
        .containsOnly("False", "True")
        .last()
        .isEqualTo("True");
    String readySequence =
        written.stream()
            .map(s -> condition(s, Conditions.READY).getStatus())
            .map(v -> v.equals("True") ? "T" : "F")
            .collect(java.util.stream.Collectors.joining());
    assertThat(readySequence)
        .as("Ready False until the rollout completes, then True")
        .matches("F+T+");
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("Terminated"))
        .allSatisfy(e -> assertThat(e.message()).contains("replaced by the current revision"))
        .flatExtracting(e -> List.of(e.message().split(": ")[1].split(", ")))
        .containsExactlyInAnyOrderElementsOf(oldIds);
    assertThat(h.condition(Conditions.PROGRESSING).getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void aRolloutAcrossSubnetsLaunchesOneInstancePerOldOne() {
    LoopHarness h = converged(3, s -> s.setStrategy(rolling(1, 0)));
    int runsBefore = h.runRequests().size();

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(200, STEP);

    assertThat(h.runRequests().subList(runsBefore, h.runRequests().size())).hasSize(3);
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("Terminated"))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.message()).contains("replaced by the current revision"));
    assertThat(h.liveInstances())
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
  }

  @Test
  void readyAsSoonAsEveryInstanceIsAvailable() {
    LoopHarness h = new LoopHarness(3);
    h.poll();
    h.step(); // t=0: launches
    h.clock.advance(STEP);
    h.poll();
    h.step(); // t=5: all three running, none pending

    assertThat(h.status().getAvailableReplicas()).isEqualTo(3);
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void aRecreateTerminatesEveryOldInstanceBeforeItLaunches() {
    LoopHarness h = converged(3, s -> s.setStrategy(recreate()));
    Set<String> oldIds = ids(h.liveInstances());
    int runsBefore = h.entries(FakeEc2.RUN).size();

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(60, STEP);

    List<LoopHarness.Entry> runs =
        h.entries(FakeEc2.RUN).subList(runsBefore, h.entries(FakeEc2.RUN).size());
    List<LoopHarness.Entry> terminations = h.entries(FakeEc2.TERMINATE);
    assertThat(terminations).hasSize(1);
    assertThat(terminations.get(0).detail().split(",")).containsExactlyInAnyOrderElementsOf(oldIds);
    assertThat(runs)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.seq()).isGreaterThan(terminations.get(0).seq()));
    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void pausedReplacesNothingButStillScalesOnTheCurrentRevision() {
    LoopHarness h = converged(3, s -> s.setStrategy(rolling(1, 0)));
    Set<String> oldIds = ids(h.liveInstances());
    int runsBefore = h.runRequests().size();

    h.editSpec(
        s -> {
          s.setPaused(true);
          s.getTemplate().setAmiId(NEW_AMI);
        });
    h.runUntilStable(40, STEP);

    assertThat(h.runRequests()).hasSize(runsBefore);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(ids(h.liveInstances())).isEqualTo(oldIds);
    assertThat(h.condition(Conditions.PROGRESSING))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("Unknown");
              assertThat(c.getReason()).isEqualTo("Paused");
            });
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(h.status().getUpdatedReplicas()).isZero();

    h.scale(4);
    h.runUntilStable(40, STEP);

    assertThat(h.runRequests()).hasSize(runsBefore + 1);
    assertThat(h.runRequests().get(runsBefore).imageId())
        .as("scale-up launches the current template")
        .isEqualTo(NEW_AMI);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.status().getUpdatedReplicas()).isEqualTo(1);
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("Paused");

    h.scale(2);
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances())
        .hasSize(2)
        .anySatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("Terminated"))
        .allSatisfy(e -> assertThat(e.message()).contains("scale-in"));

    h.editSpec(s -> s.setPaused(false));
    h.runUntilStable(60, STEP);

    assertThat(h.liveInstances())
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("RolloutComplete");
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void theRestartAnnotationReplacesEveryInstanceWithTheSameSettings() {
    LoopHarness h = converged(3, s -> s.setStrategy(rolling(1, 0)));
    Set<String> oldIds = ids(h.liveInstances());
    String oldRevision = h.status().getCurrentRevision();
    long generation = h.fleet().getMetadata().getGeneration();

    h.annotate(ServerFleet.RESTARTED_AT, "2025-01-01T00:10:00Z");
    h.runUntilStable(100, STEP);

    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(
            i -> {
              assertThat(oldIds).doesNotContain(i.id());
              assertThat(i.imageId()).isEqualTo(AMI);
            });
    assertThat(h.status().getCurrentRevision()).isNotEqualTo(oldRevision);
    assertThat(h.status().getUpdatedReplicas()).isEqualTo(3);
    assertThat(h.fleet().getMetadata().getGeneration()).as("metadata only").isEqualTo(generation);
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("RolloutComplete");
    int runs = h.runRequests().size();

    h.annotate(ServerFleet.RESTARTED_AT, "2025-01-01T00:10:00Z");
    h.runUntilStable(20, STEP);

    assertThat(h.runRequests()).as("the same value again restarts nothing").hasSize(runs);
  }

  @Test
  void aRolloutStuckOnAPendingInstancePassesItsDeadlineOnce() {
    LoopHarness h =
        converged(
            3,
            s -> {
              s.setStrategy(rolling(1, 0));
              s.setProgressDeadlineSeconds(60);
            });
    Set<String> oldIds = ids(h.liveInstances());
    h.fake.setPendingDuration(Duration.ofDays(1));

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    List<String> progressing = new ArrayList<>();
    passTime(
        h,
        Duration.ofMinutes(5),
        h2 ->
            progressing.add(
                h2.condition(Conditions.PROGRESSING).getStatus()
                    + "/"
                    + h2.condition(Conditions.PROGRESSING).getReason()));

    assertThat(progressing.stream().distinct())
        .containsExactly("True/RollingOut", "False/ProgressDeadlineExceeded");
    Condition stuck = h.condition(Conditions.PROGRESSING);
    assertThat(stuck.getMessage())
        .contains("no progress for 60 s", "0 of 3 instances available on revision");
    assertThat(stuck.getObservedGeneration()).isEqualTo(3L);
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(Conditions.DEADLINE_EXCEEDED))
        .singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo("Warning"));
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(ids(h.liveInstances())).containsAll(oldIds).hasSize(4);
    assertThat(h.entries(FakeEc2.TERMINATE)).as("the old instances keep serving").isEmpty();
  }

  @Test
  void aRolloutToAnUnknownAmiPassesItsDeadlineAndRecoversWithAFix() {
    LoopHarness h =
        converged(
            3,
            s -> {
              s.setStrategy(rolling(1, 0));
              s.setProgressDeadlineSeconds(60);
            });

    h.editSpec(s -> s.getTemplate().setAmiId(UNKNOWN_AMI));
    passTime(h, Duration.ofMinutes(12), x -> {});

    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo("LaunchFailed");
    assertThat(h.condition(Conditions.PROGRESSING))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo(Conditions.DEADLINE_EXCEEDED);
            });
    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(AMI));

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.poll();
    h.step();
    assertThat(h.condition(Conditions.PROGRESSING))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("RollingOut");
            });
    h.runUntilStable(100, STEP);

    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("RolloutComplete");
  }

  @Test
  void theDeadlineEventIsSentWhenThePassThatNoticesItAlsoLaunches() {
    LoopHarness h =
        converged(
            3,
            s -> {
              s.setStrategy(rolling(1, 0));
              s.setProgressDeadlineSeconds(60);
            });

    h.editSpec(s -> s.getTemplate().setAmiId(UNKNOWN_AMI));
    passTime(
        h, Duration.ofMinutes(6), x -> {}); // the launch retried after the hold sees the deadline

    assertThat(h.condition(Conditions.PROGRESSING).getReason())
        .isEqualTo(Conditions.DEADLINE_EXCEEDED);
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(Conditions.DEADLINE_EXCEEDED))
        .hasSize(1);
  }

  @Test
  void theDeadlineIsReportedWhenItPassesNotAtTheNextUnrelatedPass() {
    LoopHarness h =
        converged(
            3,
            s -> {
              s.setStrategy(rolling(1, 0));
              s.setProgressDeadlineSeconds(60);
            });

    h.editSpec(s -> s.getTemplate().setAmiId(UNKNOWN_AMI));
    passTime(h, Duration.ofSeconds(90), x -> {});

    assertThat(h.condition(Conditions.PROGRESSING).getReason())
        .isEqualTo(Conditions.DEADLINE_EXCEEDED);
  }

  @Test
  void aProtectedInstanceIsNeverTerminatedAndTheRolloutWaitsForIt() {
    LoopHarness h = converged(3, s -> s.setStrategy(rolling(1, 0)));
    Instance kept = h.liveInstances().get(0);
    h.tagInEc2(kept.id(), OwnershipTags.PROTECTED, "true");

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    h.runUntilStable(100, STEP);

    assertThat(h.fake.instance(kept.id()).orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
    assertThat(h.entries(FakeEc2.TERMINATE))
        .allSatisfy(e -> assertThat(e.detail()).doesNotContain(kept.id()));
    assertThat(h.liveInstances())
        .hasSize(3)
        .filteredOn(i -> i.imageId().equals(NEW_AMI))
        .hasSize(2);
    ServerFleetStatus s = h.status();
    assertThat(s.getProtectedReplicas()).isEqualTo(1);
    assertThat(s.getUpdatedReplicas()).isEqualTo(2);
    assertThat(s.getInstances())
        .filteredOn(i -> i.id().equals(kept.id()))
        .singleElement()
        .satisfies(i -> assertThat(i.protectedInstance()).isTrue());
    assertThat(h.condition(Conditions.PROGRESSING))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("RollingOut");
              assertThat(c.getMessage())
                  .contains("waiting for 1 protected instance(s) on an older revision");
            });
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");

    h.scale(1);
    h.runUntilStable(40, STEP);

    assertThat(h.fake.instance(kept.id()).orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
    assertThat(h.liveInstances()).extracting(Instance::id).containsExactly(kept.id());
  }

  @Test
  void afterACapacityShortageTheNextPassRebalancesIntoTheRecoveredSubnet() {
    LoopHarness h = new LoopHarness(3);
    h.editSpec(s -> s.setStrategy(rolling(1, 0)));
    h.fake.setInsufficientCapacity("subnet-c", true);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).extracting(Instance::subnetId).doesNotContain("subnet-c");
    h.fake.setInsufficientCapacity("subnet-c", false);

    h.clock.advance(SubnetAvoidance.CAPACITY_HOLD);
    h.poll();
    h.step(); // a pass for any reason once subnet-c is no longer avoided
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances())
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void afterACapacityShortageTheFleetIsRebalancedWithoutAnyOtherEvent() {
    LoopHarness h = new LoopHarness(3);
    h.editSpec(s -> s.setStrategy(rolling(1, 0)));
    h.fake.setInsufficientCapacity("subnet-c", true);
    h.runUntilStable(40, STEP);
    h.fake.setInsufficientCapacity("subnet-c", false);

    passTime(h, Duration.ofMinutes(5), x -> {});

    assertThat(h.liveInstances())
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
  }

  @Test
  void percentagesAreResolvedForTheCurrentReplicas() {
    ServerFleet fleet = LoopHarness.newFleet(10);
    fleet.getSpec().setStrategy(rolling("25%", "25%"));

    assertThat(SpecDefaults.policy(fleet).bounds()).isEqualTo(new RolloutBounds(3, 2));
    fleet.getSpec().setStrategy(null);
    assertThat(SpecDefaults.policy(fleet).bounds())
        .as("defaults 25%/0")
        .isEqualTo(new RolloutBounds(3, 0));
  }
}
