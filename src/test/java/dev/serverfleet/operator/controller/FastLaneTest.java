package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MutableClock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's fast lane on the in-memory EC2 and the real cache: which instances are in flux, how
 * often they are described (one batched call per round for all fleets, none when nothing is due,
 * backing off to the sweep period), what a round merges, and which fleets it wakes.
 */
class FastLaneTest {
  private static final Duration PERIOD = Duration.ofSeconds(2);
  private static final Duration SWEEP = Duration.ofSeconds(30);
  private static final String CLUSTER = LoopHarness.CLUSTER;
  private static final ResourceID WEB = new ResourceID("web", "shop");
  private static final ResourceID API = new ResourceID("api", "shop");

  private final MutableClock clock = new MutableClock();
  private final FakeEc2 fake = new FakeEc2(clock);
  private final InstanceCache cache = new InstanceCache();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FastLane lane =
      new FastLane(cache, fake::describeByIds, PERIOD, SWEEP, clock, registry);
  private int token;

  @Test
  void nothingInFluxMakesNoCall() {
    fake.setPendingDuration(Duration.ZERO);
    launch(WEB, 3); // running at once
    sweep();
    int calls = fake.calls(FakeEc2.DESCRIBE);

    for (int n = 0; n < 30; n++) {
      assertThat(lane.round()).isEmpty();
      clock.advance(PERIOD);
    }

    assertThat(fake.calls(FakeEc2.DESCRIBE)).isEqualTo(calls);
    assertThat(inFluxGauge()).isZero();
  }

  @Test
  void launchesRecordedByReconcilesAreFollowedUntilRunningAndOnlyTheirFleetIsWoken() {
    fake.setPendingDuration(Duration.ofSeconds(5));
    launch(API, 2).forEach(i -> cache.launched(API, i, clock.instant()));
    fake.setPendingDuration(Duration.ofSeconds(60));
    launch(API, 1).forEach(i -> cache.launched(API, i, clock.instant())); // stays pending
    sweep(); // API's three are pending in the snapshot
    fake.setPendingDuration(Duration.ofSeconds(5));
    List<Instance> web = launch(WEB, 3); // RunInstances answered: pending, no sweep since
    web.forEach(i -> cache.launched(WEB, i, clock.instant()));

    assertThat(lane.round()).as("first seen: due one period later").isEmpty();
    assertThat(inFluxGauge()).isEqualTo(6);
    clock.advance(PERIOD);
    assertThat(lane.round())
        .as("all still pending; WEB's launches are now seen in EC2, API's view is unchanged")
        .containsExactly(WEB);
    assertThat(cache.observe(WEB).launched()).isEmpty();
    assertThat(fake.calls(FakeEc2.DESCRIBE)).isEqualTo(2); // the sweep and one batched describe

    clock.advance(PERIOD.multipliedBy(2)); // 5 s after launch: five of them run now
    Set<ResourceID> woken = lane.round();

    assertThat(woken).containsExactlyInAnyOrder(WEB, API);
    assertThat(cache.observe(WEB).swept())
        .as("a describe by id is an observation of EC2, as a sweep is")
        .extracting(Instance::id, Instance::state)
        .containsExactlyInAnyOrderElementsOf(
            web.stream().map(i -> tuple(i.id(), InstanceState.RUNNING)).toList());
    assertThat(fake.calls(FakeEc2.DESCRIBE)).isEqualTo(3);
    assertThat(cache.inFlux()).hasSize(1);

    clock.advance(PERIOD);
    fake.setPendingDuration(Duration.ZERO);
    assertThat(lane.round()).as("the one still pending changed nothing").isEmpty();
  }

  @Test
  void oneRoundDescribesEveryFleetsInstancesInFluxInCeilOfNOver1000Calls() {
    fake.setPendingDuration(Duration.ofMinutes(10));
    for (ResourceID fleet : List.of(WEB, API, new ResourceID("db", "shop"))) {
      launch(fleet, 850).forEach(i -> cache.launched(fleet, i, clock.instant()));
    }
    sweep();
    int before = fake.calls(FakeEc2.DESCRIBE);

    lane.round();
    clock.advance(PERIOD);
    lane.round();

    assertThat(fake.calls(FakeEc2.DESCRIBE) - before).as("⌈2550 / 1000⌉").isEqualTo(3);
    assertThat(inFluxGauge()).isEqualTo(2550);
  }

  @Test
  void aStuckInstanceBacksOffToTheSweepPeriodAndANewStateStartsOver() {
    fake.setPendingDuration(Duration.ofHours(1));
    Instance stuck = launch(WEB, 1).get(0);
    sweep();
    List<Duration> asked = new ArrayList<>();
    Instant start = clock.instant();
    for (int n = 0; n < 300; n++) { // ten minutes of rounds
      int calls = fake.calls(FakeEc2.DESCRIBE);
      lane.round();
      if (fake.calls(FakeEc2.DESCRIBE) > calls) {
        asked.add(Duration.between(start, clock.instant()));
      }
      clock.advance(PERIOD);
    }
    List<Long> gaps = new ArrayList<>();
    for (int n = 1; n < asked.size(); n++) {
      gaps.add(asked.get(n).minus(asked.get(n - 1)).toSeconds());
    }

    assertThat(asked.get(0)).isEqualTo(PERIOD);
    assertThat(gaps.subList(0, 7)).as("followed closely at first").containsOnly(2L);
    assertThat(gaps).isSorted().allMatch(g -> g <= SWEEP.toSeconds());
    assertThat(gaps.get(gaps.size() - 1)).isEqualTo(SWEEP.toSeconds());
    assertThat(asked).as("instead of 300 rounds' worth").hasSizeLessThan(45);

    fake.setShutdownDuration(Duration.ofMinutes(5));
    fake.terminateOutOfBand(stuck.id()); // shutting-down now, for a while
    sweep();
    int calls = fake.calls(FakeEc2.DESCRIBE);
    lane.round();
    clock.advance(PERIOD);
    lane.round();
    assertThat(fake.calls(FakeEc2.DESCRIBE) - calls)
        .as("a new state is followed closely again")
        .isEqualTo(1);
  }

  @Test
  void terminationsAreFollowedUntilGoneAndThenSettled() {
    fake.setPendingDuration(Duration.ZERO).setShutdownDuration(Duration.ofSeconds(3));
    List<Instance> web = launch(WEB, 2);
    sweep();
    fake.terminate(List.of(web.get(0).id()));
    cache.terminating(WEB, web.get(0).id(), clock.instant()); // what TerminateInstances answered

    assertThat(cache.inFlux()).containsOnlyKeys(web.get(0).id());
    clock.advance(PERIOD);
    lane.round(); // first seen
    clock.advance(PERIOD);
    assertThat(lane.round()).containsExactly(WEB);

    assertThat(cache.observe(WEB).swept())
        .filteredOn(i -> i.id().equals(web.get(0).id()))
        .extracting(Instance::state)
        .containsExactly(InstanceState.TERMINATED);
    assertThat(cache.inFlux()).isEmpty();
  }

  @Test
  void anIdEc2DoesNotShowYetStaysInFluxAndAFailedDescribeChangesNothing() {
    fake.setPendingDuration(Duration.ZERO).setVisibilityDelay(Duration.ofSeconds(5));
    sweep();
    Instance fresh = launch(WEB, 1).get(0);
    cache.launched(WEB, fresh, clock.instant());

    lane.round();
    clock.advance(PERIOD);
    assertThat(lane.round()).as("EC2 does not know it yet").isEmpty();
    assertThat(cache.observe(WEB).launched()).extracting(Instance::id).containsExactly(fresh.id());

    clock.advance(PERIOD.multipliedBy(2));
    fake.injectNext(
        FakeEc2.DESCRIBE,
        ErrorClassifier.fromCode(FakeEc2.DESCRIBE, "RequestLimitExceeded", "Rate exceeded", 503));
    assertThat(lane.round()).isEmpty();
    assertThat(
            registry.get("serverfleet.fast.lane.describes").tag("outcome", "error").timer().count())
        .isEqualTo(1);

    clock.advance(PERIOD);
    assertThat(lane.round()).as("asked again after its interval").containsExactly(WEB);
    assertThat(cache.observe(WEB).swept())
        .extracting(Instance::id, Instance::state)
        .containsExactly(tuple(fresh.id(), InstanceState.RUNNING));
  }

  @Test
  void aSweepThatStartedBeforeADescribeDoesNotUndoIt() {
    fake.setPendingDuration(Duration.ofSeconds(3));
    Instance i = launch(WEB, 1).get(0);
    Instant sweepStart = clock.instant();
    Map<ResourceID, Set<Instance>> oldView = byFleet(fake.describeOwned(CLUSTER)); // pending
    cache.sweepCompleted(oldView, sweepStart, sweepStart);
    clock.advance(PERIOD);
    lane.round();
    Instant slowSweepStart = clock.instant();
    Map<ResourceID, Set<Instance>> slowView = byFleet(fake.describeOwned(CLUSTER)); // pending
    clock.advance(PERIOD);
    lane.round(); // running, while the slow sweep is still in flight

    cache.sweepCompleted(slowView, slowSweepStart, clock.instant());

    assertThat(cache.observe(WEB).swept())
        .extracting(Instance::state)
        .containsExactly(InstanceState.RUNNING);
    clock.advance(PERIOD);
    sweep();
    assertThat(cache.observe(WEB).swept())
        .extracting(Instance::id, Instance::state)
        .containsExactly(tuple(i.id(), InstanceState.RUNNING));
  }

  // ---- helpers ----

  private void sweep() {
    Instant started = clock.instant();
    cache.sweepCompleted(byFleet(fake.describeOwned(CLUSTER)), started, started);
  }

  private static Map<ResourceID, Set<Instance>> byFleet(List<Instance> described) {
    Map<ResourceID, Set<Instance>> byFleet = new HashMap<>();
    InstancePoller.groupByFleet(described).forEach(byFleet::put);
    return byFleet;
  }

  private double inFluxGauge() {
    return registry.get(FastLane.IN_FLUX_GAUGE).gauge().value();
  }

  private List<Instance> launch(ResourceID fleet, int count) {
    String tok = "tok-" + token++;
    return fake.runInstances(
        new LaunchRequest(
            tok,
            "subnet-a",
            count,
            LoopHarness.AMI,
            LoopHarness.INSTANCE_TYPE,
            List.of(),
            null,
            null,
            null,
            false,
            true,
            2,
            Map.of(
                OwnershipTags.CLUSTER,
                CLUSTER,
                OwnershipTags.FLEET,
                fleet.getNamespace().orElseThrow() + "/" + fleet.getName(),
                OwnershipTags.FLEET_UID,
                fleet.getName() + "-uid",
                OwnershipTags.LAUNCH,
                tok)));
  }
}
