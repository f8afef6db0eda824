package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cloud.FakeEc2;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 through the loop: with no sweep after the first, the fast lane alone brings a fleet's
 * status to ready within one fast-lane period of its instances running, and a scale-in's
 * terminations are followed to the end, each a DescribeInstances by id of only what is in flux.
 */
class FastLaneLoopTest {
  private static final Duration PENDING = Duration.ofSeconds(3);

  @Test
  void statusIsReadyWithinOneFastLanePeriodOfTheInstancesRunningWithoutASweep() {
    LoopHarness h = new LoopHarness(5);
    h.fake.setPendingDuration(PENDING);
    h.poll(); // the first sweep: nothing yet
    Instant start = h.clock.instant();
    h.step(); // intents written, RunInstances
    h.fastLane(); // the lane's rounds go on all the time: this one first sees the five
    assertThat(h.liveInstances()).hasSize(5);
    assertThat(h.status().getReadyReplicas()).isZero();
    Instant running = start.plus(PENDING);

    Instant ready = null;
    for (int n = 0; n < 10 && ready == null; n++) {
      h.clock.advance(LoopHarness.FAST_PERIOD);
      h.fastLane();
      if (h.due()) {
        h.step();
      }
      if (Integer.valueOf(5).equals(h.status().getReadyReplicas())) {
        ready = h.clock.instant();
      }
    }

    assertThat(ready).as("ready without a sweep").isNotNull();
    assertThat(Duration.between(running, ready))
        .isLessThanOrEqualTo(LoopHarness.FAST_PERIOD)
        .isPositive();
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(h.entries(FakeEc2.DESCRIBE))
        .as("one full sweep, then two batched describes of the five by id")
        .extracting(LoopHarness.Entry::detail)
        .satisfiesExactly(
            sweep -> assertThat(sweep).isEqualTo(LoopHarness.CLUSTER),
            first -> assertThat(first.split(",")).hasSize(5),
            second -> assertThat(second.split(",")).hasSize(5));
  }

  @Test
  void scaleInTerminationsAreFollowedUntilGoneAndThenNothingIsAsked() {
    LoopHarness h = new LoopHarness(3);
    h.fake.setShutdownDuration(Duration.ofSeconds(5));
    h.runUntilStable(20, Duration.ofSeconds(1));
    h.scale(1);
    h.step();
    assertThat(h.entries(FakeEc2.TERMINATE)).hasSize(1);
    int describes = h.entries(FakeEc2.DESCRIBE).size();

    boolean woken = false;
    for (int n = 0; n < 30; n++) {
      h.clock.advance(LoopHarness.FAST_PERIOD);
      woken |= h.fastLane();
    }

    assertThat(woken).as("shutting-down → terminated is an event").isTrue();
    assertThat(h.cached().swept())
        .filteredOn(i -> i.state().isGone())
        .allSatisfy(i -> assertThat(i.state().ec2Name()).isEqualTo("terminated"))
        .hasSize(2);
    assertThat(h.entries(FakeEc2.DESCRIBE).size() - describes)
        .as("first seen at 2 s; asked at 4 s (shutting-down) and 6 s (terminated); then nothing")
        .isEqualTo(2);
  }
}
