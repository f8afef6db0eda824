package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The merge rule the launch ledger relies on: a sweep that started before a launch never erases it.
 */
class InstanceCacheTest {
  private static final ResourceID FLEET = new ResourceID("web", "shop");
  private static final ResourceID OTHER = new ResourceID("api", "shop");
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final InstanceCache cache = new InstanceCache();

  @Test
  void notSyncedUntilASweepCompletes() {
    assertThat(cache.synced()).isFalse();
    cache.launched(FLEET, instance("i-1", InstanceState.PENDING), T0);
    assertThat(cache.synced()).isFalse();

    cache.sweepCompleted(Map.of(), T0, T0);

    assertThat(cache.synced()).isTrue();
  }

  @Test
  void aSweepThatStartedBeforeALaunchKeepsIt() {
    cache.sweepCompleted(Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))), T0, T0);
    Instant sweepStart = T0.plusSeconds(1);
    cache.launched(
        FLEET,
        instance("i-2", InstanceState.PENDING),
        sweepStart.plusMillis(500)); // during the fetch

    Set<ResourceID> changed =
        cache.sweepCompleted(
            Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))),
            sweepStart,
            sweepStart.plusSeconds(2));

    Observation seen = cache.observe(FLEET);
    assertThat(seen.swept()).extracting(Instance::id).containsExactly("i-1");
    assertThat(seen.launched()).extracting(Instance::id).containsExactly("i-2");
    assertThat(changed).as("nothing the reconcile did not already know").isEmpty();
  }

  @Test
  void aLaunchEc2ShowsLateStaysUntilASweepShowsItThenCountsAsSwept() {
    cache.sweepCompleted(Map.of(), T0, T0);
    cache.launched(FLEET, instance("i-2", InstanceState.PENDING), T0.plusSeconds(1));
    for (int n = 2; n < 10; n++) { // sweeps that started after the launch but do not show it yet
      cache.sweepCompleted(Map.of(), T0.plusSeconds(n), T0.plusSeconds(n));
      assertThat(cache.observe(FLEET).launched()).extracting(Instance::id).containsExactly("i-2");
    }

    Set<ResourceID> changed =
        cache.sweepCompleted(
            Map.of(FLEET, Set.of(instance("i-2", InstanceState.RUNNING))),
            T0.plusSeconds(10),
            T0.plusSeconds(10));

    assertThat(cache.observe(FLEET).launched()).isEmpty();
    assertThat(cache.observe(FLEET).swept())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
    assertThat(changed).containsExactly(FLEET);
  }

  @Test
  void aLaunchNoSweepEverShowsIsForgottenAfterItsMemory() {
    cache.launched(FLEET, instance("i-2", InstanceState.PENDING), T0);
    Instant later = T0.plus(InstanceCache.LAUNCH_MEMORY);

    cache.sweepCompleted(Map.of(), later, later);

    assertThat(cache.observe(FLEET).launched()).isEmpty();
  }

  @Test
  void aTerminationShowsUntilASweepShowsTheInstanceGone() {
    cache.sweepCompleted(Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))), T0, T0);
    cache.terminating(FLEET, "i-1", T0.plusSeconds(1));

    // A sweep that started before the termination still shows it running.
    cache.sweepCompleted(
        Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))), T0, T0.plusSeconds(2));
    assertThat(cache.observe(FLEET).swept())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.SHUTTING_DOWN));

    cache.sweepCompleted(
        Map.of(FLEET, Set.of(instance("i-1", InstanceState.TERMINATED))),
        T0.plusSeconds(3),
        T0.plusSeconds(3));
    cache.sweepCompleted(
        Map.of(FLEET, Set.of(instance("i-1", InstanceState.TERMINATED))),
        T0.plusSeconds(4),
        T0.plusSeconds(4));
    assertThat(cache.observe(FLEET).swept())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.TERMINATED));
  }

  @Test
  void aTerminationThatDidNotTakeShowsTheInstanceAsItIsOnceASweepLongAfterStillShowsItAlive() {
    cache.sweepCompleted(Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))), T0, T0);
    cache.terminating(FLEET, "i-1", T0);
    Instant late = T0.plus(InstanceCache.TERMINATION_MEMORY).plusSeconds(1);

    cache.sweepCompleted(Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))), late, late);

    assertThat(cache.observe(FLEET).swept())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
  }

  @Test
  void changedNamesOnlyFleetsWhoseViewChanged() {
    cache.sweepCompleted(
        Map.of(
            FLEET,
            Set.of(instance("i-1", InstanceState.PENDING)),
            OTHER,
            Set.of(instance("i-9", InstanceState.RUNNING))),
        T0,
        T0);

    Set<ResourceID> changed =
        cache.sweepCompleted(
            Map.of(
                FLEET,
                Set.of(instance("i-1", InstanceState.RUNNING)),
                OTHER,
                Set.of(instance("i-9", InstanceState.RUNNING))),
            T0.plusSeconds(1),
            T0.plusSeconds(1));
    assertThat(changed).containsExactly(FLEET);

    changed =
        cache.sweepCompleted(
            Map.of(FLEET, Set.of(instance("i-1", InstanceState.RUNNING))),
            T0.plusSeconds(2),
            T0.plusSeconds(2));
    assertThat(changed).as("a fleet whose instances are all gone from EC2").containsExactly(OTHER);
    assertThat(cache.observe(OTHER)).isEqualTo(Observation.NONE);
  }

  @Test
  void aDescribeByIdSentBeforeTheLatestSweepStartedChangesNothing() {
    cache.sweepCompleted(Map.of(FLEET, Set.of(instance("i-1", InstanceState.PENDING))), T0, T0);
    Instant describeSent = T0.plusSeconds(1);
    cache.sweepCompleted( // a sweep that started after the describe was sent: it is newer
        Map.of(FLEET, Set.of(instance("i-1", InstanceState.SHUTTING_DOWN))),
        T0.plusSeconds(2),
        T0.plusSeconds(3));

    Set<ResourceID> changed =
        cache.refreshCompleted(
            Map.of("i-1", FLEET), List.of(instance("i-1", InstanceState.RUNNING)), describeSent);

    assertThat(changed).isEmpty();
    assertThat(cache.observe(FLEET).swept())
        .extracting(Instance::state)
        .containsExactly(InstanceState.SHUTTING_DOWN);
    assertThat(cache.inFlux()).containsOnlyKeys("i-1");
  }

  private static Instance instance(String id, InstanceState state) {
    return new Instance(
        id,
        state,
        "ami-0abcdef1234567890",
        "t3.micro",
        "subnet-a",
        "us-east-1a",
        null,
        T0.minus(Duration.ofMinutes(1)),
        Map.of());
  }
}
