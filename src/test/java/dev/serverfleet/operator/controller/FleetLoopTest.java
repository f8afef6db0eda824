package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopHarness.AMI;
import static dev.serverfleet.operator.controller.LoopHarness.CLUSTER;
import static dev.serverfleet.operator.controller.LoopHarness.UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.InstanceState;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.cloud.OwnershipTags;
import dev.serverfleet.operator.controller.LoopHarness.Entry;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FleetLoopTest {
  private static final Duration STEP = Duration.ofSeconds(5);
  private static final String BAD_AMI = "ami-0123456789abcdef0";

  @Test
  void scaleUpMakesOneRunInstancesPerSubnetWithEveryOwnershipTagAtLaunch() {
    LoopHarness h = new LoopHarness(6);

    h.poll();
    h.step();

    List<LaunchRequest> runs = h.runRequests();
    assertThat(runs).extracting(LaunchRequest::subnetId).containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
    String revision = h.status().getCurrentRevision();
    assertThat(runs).allSatisfy(r -> {
      assertThat(r.count()).isEqualTo(2);
      assertThat(r.imageId()).isEqualTo(AMI);
      assertThat(r.instanceType()).isEqualTo(LoopHarness.INSTANCE_TYPE);
      assertThat(r.httpTokensRequired()).isTrue();
      assertThat(r.tags())
          .containsEntry(OwnershipTags.CLUSTER, CLUSTER)
          .containsEntry(OwnershipTags.FLEET, "shop/web")
          .containsEntry(OwnershipTags.FLEET_UID, UID)
          .containsEntry(OwnershipTags.REVISION, revision)
          .containsEntry(OwnershipTags.LAUNCH, r.clientToken())
          .containsKey(OwnershipTags.NAME);
    });
    assertThat(h.liveInstances()).hasSize(6)
        .allSatisfy(i -> assertThat(i.tags()).containsKeys(OwnershipTags.OWNERSHIP_KEYS.toArray(String[]::new)));
    assertThat(h.journal).extracting(Entry::kind).containsOnly("status", FakeEc2.DESCRIBE, FakeEc2.RUN);
    assertThat(h.fake.calls("CreateTags")).isZero();
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(3);
    assertThat(h.counter("serverfleet.instances.launched")).isEqualTo(6);
  }

  @Test
  void launchIntentsAreWrittenToStatusBeforeRunInstancesIsCalled() {
    LoopHarness h = new LoopHarness(3);

    h.poll();
    h.step();

    List<Entry> runs = h.entries(FakeEc2.RUN);
    assertThat(runs).hasSize(3);
    int intentWrite = h.firstIndexOf("status");
    assertThat(intentWrite).isNotNegative().isLessThan(runs.get(0).seq());
    Set<String> recorded = h.writes.get(0).getLaunchIntents().stream().map(LaunchIntent::token)
        .collect(Collectors.toSet());
    assertThat(h.runRequests()).extracting(LaunchRequest::clientToken).containsExactlyInAnyOrderElementsOf(recorded);
    assertThat(h.writes.get(0).getLaunchIntents()).allSatisfy(i -> {
      assertThat(i.count()).isEqualTo(1);
      assertThat(i.revision()).isEqualTo(h.writes.get(0).getCurrentRevision());
    });
  }

  @Test
  void scalingThreeToOneToFiveToZeroConverges() {
    LoopHarness h = new LoopHarness(3);

    for (int replicas : new int[] {3, 1, 5, 0}) {
      h.scale(replicas);
      h.runUntilStable(60, STEP);
      assertConverged(h, replicas);
    }

    assertThat(h.fake.instances()).as("launched over the whole run").hasSize(3 + 4);
    assertThat(h.counter("serverfleet.instances.launched")).isEqualTo(7);
    assertThat(h.registry.find("serverfleet.instances.terminated").counters().stream()
        .mapToDouble(c -> c.count()).sum()).isEqualTo(2 + 5);
  }

  @Test
  void scaleUpSpreadsEvenlyOverSubnets() {
    LoopHarness h = new LoopHarness(1);
    h.runUntilStable(20, STEP);

    h.scale(5);
    h.runUntilStable(20, STEP);

    Map<String, Long> perSubnet = h.liveInstances().stream()
        .collect(Collectors.groupingBy(Instance::subnetId, Collectors.counting()));
    assertThat(perSubnet.keySet()).containsExactlyInAnyOrderElementsOf(LoopHarness.SUBNETS);
    assertThat(perSubnet.values()).allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
  }

  @Test
  void anInstanceTerminatedOutOfBandIsReplacedInItsSubnet() {
    LoopHarness h = new LoopHarness(3);
    h.runUntilStable(20, STEP);
    Instance lost = h.liveInstances().get(1);

    h.fake.terminateOutOfBand(lost.id());
    h.runUntilStable(20, STEP);

    assertConverged(h, 3);
    assertThat(h.liveInstances()).extracting(Instance::id).doesNotContain(lost.id());
    assertThat(h.liveInstances()).filteredOn(i -> i.subnetId().equals(lost.subnetId())).hasSize(1);
    assertThat(h.fake.instances()).hasSize(4);
  }

  @Test
  void aStoppedInstanceIsTerminatedAndReplaced() {
    LoopHarness h = new LoopHarness(3);
    h.runUntilStable(20, STEP);
    Instance stopped = h.liveInstances().get(0);

    h.fake.stop(stopped.id());
    h.runUntilStable(20, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instance(stopped.id()).orElseThrow().state()).isEqualTo(InstanceState.TERMINATED);
    assertThat(h.events).anySatisfy(e -> {
      assertThat(e.reason()).isEqualTo("Terminated");
      assertThat(e.message()).contains("stopped", stopped.id());
    });
    assertThat(h.fake.instances()).hasSize(4);
  }

  @Test
  void instancesInvisibleToDescribeAreNeverLaunchedTwiceAndRetriesReuseTheToken() {
    LoopHarness h = new LoopHarness(3, new PlanInput.Timing(Duration.ofSeconds(10), Duration.ofMinutes(10)));
    h.fake.setVisibilityDelay(Duration.ofSeconds(20));

    h.runUntilStable(40, STEP);

    assertThat(h.fake.instances()).as("every instance ever launched").hasSize(3);
    assertConverged(h, 3);
    List<String> tokens = h.runRequests().stream().map(LaunchRequest::clientToken).toList();
    assertThat(tokens).hasSizeGreaterThan(3);
    assertThat(Set.copyOf(tokens)).hasSize(3);
    // a retry that returns the instances the first call answered is not announced as a launch
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(3)
        .noneSatisfy(e -> assertThat(e.message()).contains("retried launch"));
  }

  @Test
  void theLaunchedMetricCountsInstancesNotRetries() {
    LoopHarness h = new LoopHarness(3, new PlanInput.Timing(Duration.ofSeconds(10), Duration.ofMinutes(10)));
    h.fake.setVisibilityDelay(Duration.ofSeconds(20));

    h.runUntilStable(40, STEP);

    assertThat(h.counter("serverfleet.instances.launched")).isEqualTo(3);
  }

  @Test
  void aPassOnJustLaunchedCacheEntriesDoesNotForgetTheIntent() {
    LoopHarness h = new LoopHarness(3);
    h.fake.setVisibilityDelay(Duration.ofSeconds(20));

    h.poll();
    h.step(); // t=0: launches; the cache holds the answers, as after handleRecentResourceCreate
    h.clock.advance(FleetLoop.SETTLE);
    h.step(); // t=5: the requeue fires before the next poll
    h.clock.advance(FleetLoop.SETTLE);
    h.poll(); // t=10: DescribeInstances does not show the instances yet
    h.step();
    h.runUntilStable(40, STEP);

    assertThat(h.fake.instances()).as("every instance ever launched").hasSize(3);
  }

  @Test
  void aPassBeforeThePollDoesNotTerminateTheSameInstancesAgain() {
    LoopHarness h = new LoopHarness(3);
    h.runUntilStable(20, STEP);

    h.scale(1);
    h.poll();
    h.step(); // terminates two; the cache still shows them running
    h.clock.advance(FleetLoop.SETTLE);
    h.step(); // the requeue fires before the next poll
    h.runUntilStable(20, STEP);

    assertConverged(h, 1);
    assertThat(h.entries(FakeEc2.TERMINATE)).hasSize(1);
    assertThat(h.events).filteredOn(e -> e.reason().equals("Terminated")).hasSize(1);
    assertThat(h.registry.find("serverfleet.instances.terminated").counters().stream()
        .mapToDouble(c -> c.count()).sum()).isEqualTo(2);
  }

  @Test
  void aCrashBetweenTheIntentWriteAndRunInstancesLaunchesExactlyOnce() {
    LoopHarness h = new LoopHarness(3);
    h.crashAfterNextWrite();
    h.poll();

    assertThatThrownBy(h::step).isInstanceOf(LoopHarness.OperatorCrash.class);

    assertThat(h.entries(FakeEc2.RUN)).isEmpty();
    List<String> recorded = h.status().getLaunchIntents().stream().map(LaunchIntent::token).toList();
    assertThat(recorded).hasSize(3);

    h.restart();
    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instances()).hasSize(3);
    assertThat(h.runRequests()).extracting(LaunchRequest::clientToken).containsExactlyInAnyOrderElementsOf(recorded);
  }

  @Test
  void aRunInstancesWithUnknownOutcomeKeepsItsIntentAndIsRetriedWithItsTokenAfterARestart() {
    LoopHarness h = new LoopHarness(3);
    assertThat(LoopHarness.transientError().certainlyFailed()).isFalse();
    h.fake.injectNext(FakeEc2.RUN, LoopHarness.transientError());
    h.poll();
    h.step();

    assertThat(h.liveInstances()).hasSize(2);
    LaunchRequest failed = h.runRequests().get(0);
    assertThat(h.status().getLaunchIntents()).extracting(LaunchIntent::token).contains(failed.clientToken());

    h.restart();
    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instances()).hasSize(3);
    assertThat(h.runRequests()).hasSize(4);
    assertThat(h.runRequests().get(3).clientToken()).isEqualTo(failed.clientToken());
  }

  @Test
  void aLostRunInstancesAnswerIsRecognisedByTheLaunchTagAfterARestart() {
    LoopHarness h = new LoopHarness(3);
    h.loseRunResponses(3);
    h.poll();
    h.step();

    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.cached()).isEmpty();
    assertThat(h.status().getLaunchIntents()).hasSize(3);

    h.restart();
    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instances()).hasSize(3);
    assertThat(h.runRequests()).hasSize(3);
  }

  @Test
  void throttledLaunchesKeepNoIntentBackOffAndConvergeOnceThrottlingStops() {
    LoopHarness h = new LoopHarness(1);
    h.fake.throttleNext(FakeEc2.RUN, 4);
    List<Duration> requeues = new ArrayList<>();
    h.poll();

    for (int n = 0; n < 4; n++) {
      requeues.add(h.step().requeueAfter().orElseThrow());
      assertThat(h.status().getLaunchIntents()).isEmpty();
      assertThat(h.liveInstances()).isEmpty();
      assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
      h.clock.set(h.nextRunAt());
      h.poll();
    }
    h.runUntilStable(20, STEP);

    assertThat(requeues.get(0)).isEqualTo(FleetBackoff.RETRY_BASE);
    assertThat(requeues).isSorted().doesNotHaveDuplicates();
    assertThat(h.events).filteredOn(e -> e.type().equals("Warning"))
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.message()).contains("RequestLimitExceeded"));
    assertConverged(h, 1);
    assertThat(h.runRequests()).hasSize(5);
  }

  @Test
  void insufficientCapacityInOneSubnetSendsLaunchesToTheOthers() {
    LoopHarness h = new LoopHarness(3);
    h.fake.setInsufficientCapacity("subnet-a", true);

    h.runUntilStable(40, STEP);
    assertConverged(h, 3);
    h.scale(6);
    h.runUntilStable(40, STEP);

    assertConverged(h, 6);
    assertThat(h.liveInstances()).extracting(Instance::subnetId).doesNotContain("subnet-a");
    assertThat(h.liveInstances()).filteredOn(i -> i.subnetId().equals("subnet-b")).hasSize(3);
    // tried again only each time the subnet's avoidance ends (a rebalance attempt), never in a hot loop
    assertThat(h.runRequests()).filteredOn(r -> r.subnetId().equals("subnet-a")).hasSizeBetween(1, 4);
    assertThat(h.events).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo("Warning");
      assertThat(e.message()).contains("InsufficientInstanceCapacity");
    });
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aTerminalLaunchErrorDegradesHoldsLaunchesAndANewGenerationLaunchesAtOnce() {
    LoopHarness h = new LoopHarness(3);
    h.editSpec(s -> s.getTemplate().setAmiId(BAD_AMI));
    h.poll();
    h.step();

    int attempts = h.runRequests().size();
    assertThat(attempts).isBetween(1, 3);
    Condition degraded = h.condition(Conditions.DEGRADED);
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("LaunchFailed");
    assertThat(degraded.getMessage()).contains("InvalidAMIID.NotFound", "The image id '[" + BAD_AMI + "]' does not exist");
    assertThat(h.events).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo("Warning");
      assertThat(e.message()).contains("does not exist");
    });
    assertThat(h.fake.instances()).isEmpty();
    assertThat(h.status().getLaunchIntents()).isEmpty();

    int writes = h.writes.size();
    Instant holdEnds = h.clock.instant().plus(FleetBackoff.TERMINAL_HOLD);
    for (int n = 0; n < 9; n++) { // a pass every 30 s for 4.5 minutes, timer or not
      h.clock.advance(Duration.ofSeconds(30));
      h.poll();
      FleetLoop.Result held = h.step();
      assertThat(held.requeueAfter()).contains(Duration.between(h.clock.instant(), holdEnds));
    }
    assertThat(h.runRequests()).as("no launch while held").hasSize(attempts);
    assertThat(h.writes).as("nothing changed, nothing written").hasSize(writes);

    h.editSpec(s -> s.getTemplate().setAmiId(AMI));
    h.poll();
    h.step();

    assertThat(h.runRequests()).hasSize(attempts + 3);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(h.condition(Conditions.DEGRADED).getObservedGeneration()).isEqualTo(3L);
    h.runUntilStable(20, STEP);
    assertConverged(h, 3);
  }

  @Test
  void aTerminalErrorIsRetriedOnceTheHoldExpiresWithoutADegradedFalseBlip() {
    LoopHarness h = new LoopHarness(3);
    h.editSpec(s -> s.getTemplate().setAmiId(BAD_AMI));
    h.poll();
    h.step();
    int attempts = h.runRequests().size();
    String since = h.condition(Conditions.DEGRADED).getLastTransitionTime();
    int writes = h.writes.size();

    h.clock.advance(FleetBackoff.TERMINAL_HOLD);
    h.poll();
    h.step();

    assertThat(h.runRequests()).as("one more round after the hold").hasSize(2 * attempts);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(h.writes.subList(writes, h.writes.size()))
        .as("every status written while the template is still broken")
        .allSatisfy(s -> assertThat(condition(s, Conditions.DEGRADED).getStatus()).isEqualTo("True"));
    assertThat(h.condition(Conditions.DEGRADED).getLastTransitionTime()).isEqualTo(since);
  }

  @Test
  void readyTurnsTrueOnlyWhenEveryInstanceIsRunning() {
    LoopHarness h = new LoopHarness(2);
    h.fake.setPendingDuration(Duration.ofSeconds(60));
    h.poll();
    h.step(); // t=0: two instances, running at t=60
    h.clock.advance(Duration.ofSeconds(30));
    h.scale(3);
    h.poll();
    h.step(); // t=30: a third, running at t=90

    List<String> seen = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      h.clock.advance(Duration.ofSeconds(10));
      h.poll();
      if (h.due()) {
        h.step();
      }
      ServerFleetStatus s = h.status();
      boolean allRunning = h.liveInstances().size() == 3
          && h.liveInstances().stream().allMatch(i -> i.state() == InstanceState.RUNNING);
      Condition ready = h.condition(Conditions.READY);
      assertThat(ready.getStatus()).isEqualTo(allRunning ? "True" : "False");
      seen.add(s.getReadyReplicas() + "/" + ready.getStatus() + "/" + ready.getReason());
    }

    assertThat(seen).containsSubsequence("0/False/InstancesNotReady", "2/False/InstancesNotReady",
        "3/True/AllInstancesReady");
    assertThat(h.status().getReplicas()).isEqualTo(3);
  }

  @Test
  void statusIsNotWrittenWhenNothingChanged() {
    LoopHarness h = new LoopHarness(3);
    h.runUntilStable(20, STEP);
    int writes = h.writes.size();
    int passes = h.passes();

    for (int n = 0; n < 20; n++) {
      h.clock.advance(Duration.ofMinutes(1));
      h.poll();
      assertThat(h.step().requeueAfter()).isEmpty();
    }

    assertThat(h.passes()).isEqualTo(passes + 20);
    assertThat(h.writes).hasSize(writes);
    assertThat(h.runRequests()).hasSize(3);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
  }

  @Test
  void conditionsKeepLastTransitionTimeAndCarryObservedGeneration() {
    LoopHarness h = new LoopHarness(3);
    h.fake.setPendingDuration(Duration.ofSeconds(30));
    h.poll();
    h.step();
    String start = h.clock.instant().toString();
    assertThat(h.condition(Conditions.READY)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getLastTransitionTime()).isEqualTo(start);
      assertThat(c.getObservedGeneration()).isEqualTo(1L);
    });

    h.clock.advance(Duration.ofSeconds(10));
    h.poll();
    h.step();
    assertThat(h.condition(Conditions.READY).getLastTransitionTime()).isEqualTo(start);

    h.runUntilStable(20, STEP);
    Condition ready = h.condition(Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(Instant.parse(ready.getLastTransitionTime())).isAfterOrEqualTo(Instant.parse(start).plusSeconds(30));

    h.clock.advance(Duration.ofMinutes(1));
    h.scale(4);
    h.poll();
    h.step();

    assertThat(h.status().getObservedGeneration()).isEqualTo(2L);
    assertThat(h.condition(Conditions.READY)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isIn("ScalingUp", "InstancesNotReady");
      assertThat(c.getLastTransitionTime()).isEqualTo(h.clock.instant().toString());
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
    assertThat(h.condition(Conditions.DEGRADED)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getLastTransitionTime()).isEqualTo(start);
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
    });
  }

  @Test
  void instancesOfAnotherFleetUidOrClusterAreNeverCountedOrTouched() {
    LoopHarness h = new LoopHarness(1);
    Instance recreated = h.fake.addForeignInstance("subnet-a", Map.of(OwnershipTags.CLUSTER, CLUSTER,
        OwnershipTags.FLEET, "shop/web", OwnershipTags.FLEET_UID, "an-older-fleet-of-the-same-name"));
    Instance otherCluster = h.fake.addForeignInstance("subnet-b", Map.of(OwnershipTags.CLUSTER, "other",
        OwnershipTags.FLEET, "shop/web", OwnershipTags.FLEET_UID, UID));

    h.runUntilStable(20, STEP);
    assertConverged(h, 1);
    h.scale(0);
    h.runUntilStable(20, STEP);

    assertConverged(h, 0);
    for (Instance foreign : List.of(recreated, otherCluster)) {
      assertThat(h.fake.instance(foreign.id()).orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
    }
    assertThat(h.entries(FakeEc2.TERMINATE)).allSatisfy(e ->
        assertThat(e.detail()).doesNotContain(recreated.id(), otherCluster.id()));
  }

  // ---- helpers ----

  private static void assertConverged(LoopHarness h, int replicas) {
    assertThat(h.liveInstances()).hasSize(replicas)
        .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
    ServerFleetStatus s = h.status();
    assertThat(s.getReplicas()).isEqualTo(replicas);
    assertThat(s.getReadyReplicas()).isEqualTo(replicas);
    assertThat(s.getUpdatedReplicas()).isEqualTo(replicas);
    assertThat(s.getLaunchIntents()).isEmpty();
    assertThat(s.getInstances()).extracting(i -> i.id())
        .containsExactlyInAnyOrderElementsOf(h.liveInstances().stream().map(Instance::id).toList());
    assertThat(h.condition(Conditions.READY)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("AllInstancesReady");
    });
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(h.status().getObservedGeneration()).isEqualTo(h.fleet().getMetadata().getGeneration());
  }

  private static Condition condition(ServerFleetStatus s, String type) {
    return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
  }
}
