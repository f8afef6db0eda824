package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopHarness.AMI;
import static dev.serverfleet.operator.controller.LoopHarness.CLUSTER;
import static dev.serverfleet.operator.controller.LoopHarness.UID;
import static dev.serverfleet.operator.controller.LoopScenarios.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.controller.LoopHarness.Entry;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Scaling, replacement and status through the loop and the EC2 fake. */
class FleetLoopTest {
  @Test
  void scaleUpMakesOneRunInstancesPerSubnetWithEveryOwnershipTagAtLaunch() {
    LoopHarness h = new LoopHarness(6);

    h.poll();
    h.step();

    List<LaunchRequest> runs = h.runRequests();
    assertThat(runs)
        .extracting(LaunchRequest::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
    String revision = h.status().getCurrentRevision();
    assertThat(runs)
        .allSatisfy(
            r -> {
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
    assertThat(h.liveInstances())
        .hasSize(6)
        .allSatisfy(
            i ->
                assertThat(i.tags())
                    .containsKeys(OwnershipTags.OWNERSHIP_KEYS.toArray(String[]::new)));
    assertThat(h.journal)
        .extracting(Entry::kind)
        .containsOnly("status", FakeEc2.DESCRIBE, FakeEc2.RUN);
    assertThat(h.fake.calls("CreateTags")).isZero();
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(3);
    assertThat(h.counter("serverfleet.instances.launched")).isEqualTo(6);
  }

  @Test
  void aPassMakesItsEc2CallsAsItsFleetAndTheSweepAsTheOperator() {
    LoopHarness h = new LoopHarness(3);
    h.poll();
    h.step();
    h.scale(0);
    h.poll();
    h.step();

    List<String> passCalls = new ArrayList<>();
    List<String> sweepCalls = new ArrayList<>();
    for (Entry e : h.journal) {
      if (e.kind().equals(FakeEc2.RUN) || e.kind().equals(FakeEc2.TERMINATE)) {
        passCalls.add(h.callers.get(e.seq()));
      } else if (e.kind().equals(FakeEc2.DESCRIBE) && e.detail().equals(CLUSTER)) {
        sweepCalls.add(h.callers.get(e.seq()));
      }
    }
    assertThat(passCalls)
        .as("3 launches (one per subnet), 1 TerminateInstances")
        .hasSize(4)
        .containsOnly("shop/web");
    assertThat(sweepCalls).hasSize(2).containsOnly(Ec2RateLimits.OPERATOR);
    assertThat(Ec2RateLimits.currentCaller())
        .as("the scope ends with the pass")
        .isEqualTo("operator");
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
    Set<String> recorded =
        h.writes.get(0).getLaunchIntents().stream()
            .map(LaunchIntent::token)
            .collect(Collectors.toSet());
    assertThat(h.runRequests())
        .extracting(LaunchRequest::clientToken)
        .containsExactlyInAnyOrderElementsOf(recorded);
    assertThat(h.writes.get(0).getLaunchIntents())
        .allSatisfy(
            i -> {
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
    assertThat(
            h.registry.find("serverfleet.instances.terminated").counters().stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isEqualTo(2 + 5);
  }

  @Test
  void scaleUpSpreadsEvenlyOverSubnets() {
    LoopHarness h = new LoopHarness(1);
    h.runUntilStable(20, STEP);

    h.scale(5);
    h.runUntilStable(20, STEP);

    Map<String, Long> perSubnet =
        h.liveInstances().stream()
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
    assertThat(h.fake.instance(stopped.id()).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("Terminated");
              assertThat(e.message()).contains("stopped", stopped.id());
            });
    assertThat(h.fake.instances()).hasSize(4);
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
      boolean allRunning =
          h.liveInstances().size() == 3
              && h.liveInstances().stream().allMatch(i -> i.state() == InstanceState.RUNNING);
      Condition ready = h.condition(Conditions.READY);
      assertThat(ready.getStatus()).isEqualTo(allRunning ? "True" : "False");
      seen.add(s.getReadyReplicas() + "/" + ready.getStatus() + "/" + ready.getReason());
    }

    assertThat(seen)
        .containsSubsequence(
            "0/False/InstancesNotReady", "2/False/InstancesNotReady", "3/True/AllInstancesReady");
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
    assertThat(h.condition(Conditions.READY))
        .satisfies(
            c -> {
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
    assertThat(Instant.parse(ready.getLastTransitionTime()))
        .isAfterOrEqualTo(Instant.parse(start).plusSeconds(30));

    h.clock.advance(Duration.ofMinutes(1));
    h.scale(4);
    h.poll();
    h.step();

    assertThat(h.status().getObservedGeneration()).isEqualTo(2L);
    assertThat(h.condition(Conditions.READY))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isIn("ScalingUp", "InstancesNotReady");
              assertThat(c.getLastTransitionTime()).isEqualTo(h.clock.instant().toString());
              assertThat(c.getObservedGeneration()).isEqualTo(2L);
            });
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getLastTransitionTime()).isEqualTo(start);
              assertThat(c.getObservedGeneration()).isEqualTo(2L);
            });
  }

  @Test
  void instancesOfAnotherFleetUidOrClusterAreNeverCountedOrTouched() {
    LoopHarness h = new LoopHarness(1);
    Instance recreated =
        h.fake.addForeignInstance(
            "subnet-a",
            Map.of(
                OwnershipTags.CLUSTER,
                CLUSTER,
                OwnershipTags.FLEET,
                "shop/web",
                OwnershipTags.FLEET_UID,
                "an-older-fleet-of-the-same-name"));
    Instance otherCluster =
        h.fake.addForeignInstance(
            "subnet-b",
            Map.of(
                OwnershipTags.CLUSTER,
                "other",
                OwnershipTags.FLEET,
                "shop/web",
                OwnershipTags.FLEET_UID,
                UID));

    h.runUntilStable(20, STEP);
    assertConverged(h, 1);
    h.scale(0);
    h.runUntilStable(20, STEP);

    assertConverged(h, 0);
    for (Instance foreign : List.of(recreated, otherCluster)) {
      assertThat(h.fake.instance(foreign.id()).orElseThrow().state())
          .isEqualTo(InstanceState.RUNNING);
    }
    assertThat(h.entries(FakeEc2.TERMINATE))
        .allSatisfy(e -> assertThat(e.detail()).doesNotContain(recreated.id(), otherCluster.id()));
  }
}
