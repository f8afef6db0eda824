package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopHarness.AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Throttling, insufficient capacity and terminal EC2 errors: backoff, other subnets, Degraded. */
class CloudErrorLoopTest {
  @Test
  void aThrottledLaunchKeepsItsIntentAndIsRetriedWithTheSameTokenUntilItGoesThrough() {
    // A throttle says nothing about earlier attempts of the token: the outcome stays unknown, and
    // only the same token may be sent again (never a new one, which could launch twice).
    LoopHarness h = new LoopHarness(1);
    h.fake.throttleNext(FakeEc2.RUN, 4);
    h.poll();
    h.step();
    assertThat(h.status().getLaunchIntents())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo("Unknown"))
        .satisfies(i -> assertThat(i.attempts()).isEqualTo(1));

    h.runUntilStable(60, STEP);

    assertConverged(h, 1);
    assertThat(h.runRequests()).hasSize(5);
    assertThat(h.runRequests())
        .extracting(LaunchRequest::clientToken)
        .containsOnly(h.runRequests().get(0).clientToken());
    assertThat(h.events)
        .filteredOn(e -> e.type().equals("Warning"))
        .hasSize(4)
        .allSatisfy(
            e ->
                assertThat(e.message())
                    .contains("RequestLimitExceeded", "retried with the same client token"));
    assertThat(h.writes)
        .allSatisfy(
            w ->
                assertThat(w.getConditions())
                    .filteredOn(c -> c.getType().equals("Degraded"))
                    .allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("False")));
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
    // tried again only each time the subnet's avoidance ends (a rebalance attempt), never in a hot
    // loop
    assertThat(h.runRequests())
        .filteredOn(r -> r.subnetId().equals("subnet-a"))
        .hasSizeBetween(1, 4);
    assertThat(h.events)
        .anySatisfy(
            e -> {
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
    assertThat(attempts)
        .as("the refusal applies to every subnet: one call, not one per subnet")
        .isEqualTo(1);
    Condition degraded = h.condition(Conditions.DEGRADED);
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("LaunchFailed");
    assertThat(degraded.getMessage())
        .contains("InvalidAMIID.NotFound", "The image id '[" + BAD_AMI + "]' does not exist");
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.type()).isEqualTo("Warning");
              assertThat(e.message()).contains("does not exist");
            });
    assertThat(h.fake.instances()).isEmpty();
    assertThat(h.status().getLaunchIntents()).isEmpty();

    int writes = h.writes.size();
    Instant holdEnds = h.clock.instant().plus(LaunchHolds.TERMINAL_HOLD);
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

    h.clock.advance(LaunchHolds.TERMINAL_HOLD);
    h.poll();
    h.step();

    assertThat(h.runRequests()).as("one more round after the hold").hasSize(2 * attempts);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(h.writes.subList(writes, h.writes.size()))
        .as("every status written while the template is still broken")
        .allSatisfy(
            s -> assertThat(condition(s, Conditions.DEGRADED).getStatus()).isEqualTo("True"));
    assertThat(h.condition(Conditions.DEGRADED).getLastTransitionTime()).isEqualTo(since);
  }

  @Test
  void aRefusedSubnetDoesNotStopTheLaunchesIntoTheOthers() {
    LoopHarness h = new LoopHarness(3);
    h.editSpec(s -> s.getTemplate().setSubnetIds(List.of("subnet-a", "subnet-gone", "subnet-c")));
    h.poll();
    h.step();

    assertThat(h.runRequests())
        .extracting(LaunchRequest::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-gone", "subnet-c");
    assertThat(h.liveInstances())
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-c");
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo("LaunchFailed");
    assertThat(h.condition(Conditions.DEGRADED).getMessage()).contains("subnet-gone");
  }
}
