package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.planning.PlanInput;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Launch intents against what moto cannot show: eventual consistency, lost answers and crashes
 * between the intent write and RunInstances never launch an instance twice.
 */
class LaunchSafetyLoopTest {
  @Test
  void instancesInvisibleToDescribeAreNeverLaunchedTwiceNorResent() {
    LoopHarness h =
        new LoopHarness(3, new PlanInput.Timing(Duration.ofSeconds(10), Duration.ofMinutes(10)));
    h.fake.setVisibilityDelay(Duration.ofSeconds(20));

    h.runUntilStable(40, STEP);

    assertThat(h.fake.instances()).as("every instance ever launched").hasSize(3);
    assertConverged(h, 3);
    // Acknowledged instances count until a sweep shows them: nothing to resend, nothing relaunched.
    List<String> tokens = h.runRequests().stream().map(LaunchRequest::clientToken).toList();
    assertThat(tokens).hasSize(3).doesNotHaveDuplicates();
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(3);
  }

  @Test
  void theLaunchedMetricCountsInstancesNotRetries() {
    LoopHarness h =
        new LoopHarness(3, new PlanInput.Timing(Duration.ofSeconds(10), Duration.ofMinutes(10)));
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
    assertThat(
            h.registry.find("serverfleet.instances.terminated").counters().stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isEqualTo(2);
  }

  @Test
  void aCrashBetweenTheIntentWriteAndRunInstancesLaunchesExactlyOnce() {
    LoopHarness h = new LoopHarness(3);
    h.crashAfterNextWrite();
    h.poll();

    assertThatThrownBy(h::step).isInstanceOf(LoopHarness.OperatorCrash.class);

    assertThat(h.entries(FakeEc2.RUN)).isEmpty();
    List<String> recorded =
        h.status().getLaunchIntents().stream().map(LaunchIntent::token).toList();
    assertThat(recorded).hasSize(3);

    h.restart();
    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instances()).hasSize(3);
    assertThat(h.runRequests())
        .extracting(LaunchRequest::clientToken)
        .containsExactlyInAnyOrderElementsOf(recorded);
  }

  @Test
  void aRunInstancesWithUnknownOutcomeKeepsItsIntentAndIsRetriedWithItsTokenAfterARestart() {
    LoopHarness h = new LoopHarness(3);
    assertThat(LoopHarness.transientError().definitelyRefused()).isFalse();
    h.fake.injectNext(FakeEc2.RUN, LoopHarness.transientError());
    h.poll();
    h.step();

    assertThat(h.liveInstances()).hasSize(2);
    LaunchRequest failed = h.runRequests().get(0);
    assertThat(h.status().getLaunchIntents())
        .extracting(LaunchIntent::token)
        .contains(failed.clientToken());

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
    assertThat(h.cached().all()).isEmpty();
    assertThat(h.status().getLaunchIntents()).hasSize(3);

    h.restart();
    h.runUntilStable(40, STEP);

    assertConverged(h, 3);
    assertThat(h.fake.instances()).hasSize(3);
    assertThat(h.runRequests()).hasSize(3);
  }

  @Test
  void aScaleBetweenTheIntentWriteAndTheFinalWriteNeitherFailsThePassNorRepeatsItsEvents() {
    // The status is written by a server-side-apply patch without resourceVersion: a spec change
    // made meanwhile (kubectl scale) is no conflict, and the pass that already called EC2 records
    // it.
    LoopHarness h = new LoopHarness(3);
    h.poll();
    h.afterNextWrite(() -> h.scale(5));

    h.step();

    assertThat(h.status().getLaunchIntents())
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.state()).isEqualTo("Acknowledged"));
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(3);
    h.runUntilStable(40, STEP);
    assertConverged(h, 5);
    assertThat(h.fake.instances()).hasSize(5);
    assertThat(h.events).filteredOn(e -> e.reason().equals("Launched")).hasSize(5);
  }
}
