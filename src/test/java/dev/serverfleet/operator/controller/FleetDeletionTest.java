package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Deletion (issue 7, failure 5): every instance known to be the fleet's goes at once — observed,
 * acknowledged but not yet seen, or found by the launch tag of an intent of unknown outcome — with
 * Terminated events and the cache told; a failure is an event and a retry, never swallowed.
 */
class FleetDeletionTest {
  private final MutableClock clock = new MutableClock();
  private final FakeEc2 fake = new FakeEc2(clock);
  private final List<LoopHarness.Event> events = new ArrayList<>();
  private final List<String> terminating = new ArrayList<>();
  private final FleetDeletion deletion =
      new FleetDeletion(
          fake,
          LoopHarness.CLUSTER,
          new FleetEvents() {
            @Override
            public void normal(ServerFleet fleet, String reason, String message) {
              events.add(new LoopHarness.Event("Normal", reason, message));
            }

            @Override
            public void warning(ServerFleet fleet, String reason, String message) {
              events.add(new LoopHarness.Event("Warning", reason, message));
            }
          },
          new FleetMetrics(new SimpleMeterRegistry()),
          new FailureMemory());
  private final FleetActions.Observer cache =
      new FleetActions.Observer() {
        @Override
        public void launched(Instance instance) {}

        @Override
        public void terminating(String instanceId) {
          terminating.add(instanceId);
        }
      };

  @Test
  void observedAcknowledgedAndUnknownLaunchesAllGoAtOnceWithEvents() {
    Instance observed = launch("tok-observed").get(0);
    Instance acknowledged = launch("tok-acked").get(0); // answered, no sweep has shown it yet
    Instance unknown = launch("tok-unknown").get(0); // its answer was lost
    ServerFleet fleet =
        fleetWith(
            intent("tok-acked", "Acknowledged", List.of(acknowledged.id())),
            intent("tok-unknown", "Unknown", null));

    FleetDeletion.Result result =
        deletion.run(fleet, new Observation(List.of(observed), List.of()), cache);

    assertThat(result.retryIn()).as("nothing to wait for").isEmpty();
    assertThat(fake.instances()).allSatisfy(i -> assertThat(i.state().isGone()).isTrue());
    assertThat(terminating)
        .containsExactlyInAnyOrder(observed.id(), acknowledged.id(), unknown.id());
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("Terminated");
              assertThat(e.message())
                  .contains("fleet deleted", observed.id(), acknowledged.id(), unknown.id());
            });
  }

  @Test
  void aCleanupRunAgainTerminatesNothingTwice() {
    InstanceCache real = new InstanceCache();
    Instant t0 = clock.instant();
    Instance swept = launch("tok-swept").get(0);
    Instance acknowledged = launch("tok-acked").get(0);
    real.sweepCompleted(Map.of(LoopHarness.FLEET_ID, Set.of(swept)), t0, t0);
    real.launched(LoopHarness.FLEET_ID, acknowledged, t0);
    ServerFleet fleet = fleetWith(intent("tok-acked", "Acknowledged", List.of(acknowledged.id())));
    FleetActions.Observer recorder =
        new FleetActions.Observer() {
          @Override
          public void launched(Instance instance) {}

          @Override
          public void terminating(String instanceId) {
            real.terminating(LoopHarness.FLEET_ID, instanceId, clock.instant());
          }
        };

    deletion.run(fleet, real.observe(LoopHarness.FLEET_ID), recorder);
    real.forget(LoopHarness.FLEET_ID); // the reconciler, before it removes the finalizer
    // The finalizer's removal failed; JOSDK runs the cleanup again, before any sweep.
    FleetDeletion.Result again = deletion.run(fleet, real.observe(LoopHarness.FLEET_ID), recorder);

    assertThat(again.retryIn()).isEmpty();
    assertThat(fake.calls(FakeEc2.TERMINATE)).as("one call for both, never again").isEqualTo(1);
    assertThat(events).extracting(LoopHarness.Event::reason).containsExactly("Terminated");
  }

  @Test
  void anAcknowledgedInstanceAScaleInAlreadyTerminatedIsNotTerminatedAgain() {
    Instance acknowledged = launch("tok-acked").get(0);
    fake.terminate(List.of(acknowledged.id()));
    int before = fake.calls(FakeEc2.TERMINATE);
    ServerFleet fleet = fleetWith(intent("tok-acked", "Acknowledged", List.of(acknowledged.id())));

    FleetDeletion.Result result =
        deletion.run(
            fleet,
            new Observation(
                List.of(), List.of(acknowledged.withState(InstanceState.SHUTTING_DOWN))),
            cache);

    assertThat(result.retryIn()).isEmpty();
    assertThat(fake.calls(FakeEc2.TERMINATE)).isEqualTo(before);
    assertThat(events).isEmpty();
  }

  @Test
  void aFailureIsAWarningEventAndARetryNotSilence() {
    Instance observed = launch("tok-1").get(0);
    fake.injectNext(
        FakeEc2.TERMINATE,
        ErrorClassifier.fromCode(
            FakeEc2.TERMINATE,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
            403));

    FleetDeletion.Result result =
        deletion.run(fleetWith(), new Observation(List.of(observed), List.of()), cache);

    assertThat(result.retryIn()).isPresent();
    assertThat(result.failure())
        .hasValueSatisfying(f -> assertThat(f).contains("UnauthorizedOperation"));
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("Warning");
              assertThat(e.reason()).isEqualTo("DeletionFailed");
            });
    assertThat(fake.instance(observed.id()).orElseThrow().state().isLive()).isTrue();
  }

  @Test
  void deletionMakesItsEc2CallsAsItsFleet() {
    Instance observed = launch("tok-1").get(0);
    launch("tok-unknown");
    List<String> calls = new ArrayList<>();
    Ec2Port recording =
        (Ec2Port)
            Proxy.newProxyInstance(
                Ec2Port.class.getClassLoader(),
                new Class<?>[] {Ec2Port.class},
                (proxy, method, args) -> {
                  calls.add(method.getName() + " as " + Ec2RateLimits.currentCaller());
                  try {
                    return method.invoke(fake, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    FleetDeletion asFleet =
        new FleetDeletion(
            recording,
            LoopHarness.CLUSTER,
            new FleetEvents() {
              @Override
              public void normal(ServerFleet fleet, String reason, String message) {}

              @Override
              public void warning(ServerFleet fleet, String reason, String message) {}
            },
            new FleetMetrics(new SimpleMeterRegistry()),
            new FailureMemory());

    asFleet.run(
        fleetWith(intent("tok-unknown", "Unknown", null)),
        new Observation(List.of(observed), List.of()),
        cache);

    assertThat(calls).containsExactly("describeLaunch as shop/web", "terminate as shop/web");
    assertThat(Ec2RateLimits.currentCaller()).isEqualTo(Ec2RateLimits.OPERATOR);
  }

  @Test
  void retainReleasesInsteadOfTerminating() {
    Instance observed = launch("tok-1").get(0);
    ServerFleet fleet = fleetWith();
    fleet.getSpec().setDeletionPolicy(DeletionPolicy.Retain);

    deletion.run(fleet, new Observation(List.of(observed), List.of()), cache);

    Instance kept = fake.instance(observed.id()).orElseThrow();
    assertThat(kept.state().isLive()).isTrue();
    assertThat(kept.tags()).doesNotContainKeys(OwnershipTags.OWNERSHIP_KEYS.toArray(String[]::new));
    assertThat(events).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("Released"));
  }

  private List<Instance> launch(String token) {
    return fake.runInstances(
        new LaunchRequest(
            token,
            "subnet-a",
            1,
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
                LoopHarness.CLUSTER,
                OwnershipTags.FLEET,
                LoopHarness.NAMESPACE + "/" + LoopHarness.NAME,
                OwnershipTags.FLEET_UID,
                LoopHarness.UID,
                OwnershipTags.LAUNCH,
                token)));
  }

  private static LaunchIntent intent(String token, String state, List<String> ids) {
    String at = "2025-01-01T00:00:00Z";
    return new LaunchIntent(token, "subnet-a", 1, "rev", at, ids, state, 1, at);
  }

  private static ServerFleet fleetWith(LaunchIntent... intents) {
    ServerFleet fleet = LoopHarness.newFleet(3);
    fleet.getSpec().setDeletionPolicy(DeletionPolicy.Delete);
    ServerFleetStatus status = new ServerFleetStatus();
    status.setLaunchIntents(List.of(intents));
    fleet.setStatus(status);
    return fleet;
  }
}
