package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.LaunchLedger;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class StatusBuilderTest {
  private static final String REV = "7c9f5d0a1b";
  private static final String OLD = "0123456789";
  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00.123456Z");
  private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

  /** An instance spec in a table: {@code "running"}, {@code "pending/old"}, {@code "stopped"}... */
  private static List<Instance> instances(String... specs) {
    List<Instance> out = new ArrayList<>();
    for (int n = 0; n < specs.length; n++) {
      String[] parts = specs[n].split("/");
      InstanceState state = InstanceState.fromEc2(parts[0]);
      String revision = parts.length > 1 && parts[1].equals("old") ? OLD : REV;
      out.add(instance("i-" + n, state, revision, T0.plusSeconds(n)));
    }
    return out;
  }

  private static Instance instance(
      String id, InstanceState state, String revision, Instant launchTime) {
    return new Instance(
        id,
        state,
        LoopHarness.AMI,
        "t3.micro",
        "subnet-a",
        "us-east-1a",
        "10.0.0.4",
        launchTime,
        Map.of(
            OwnershipTags.CLUSTER,
            LoopHarness.CLUSTER,
            OwnershipTags.FLEET_UID,
            LoopHarness.UID,
            OwnershipTags.REVISION,
            revision));
  }

  private static List<Intent> inFlight(int count) {
    return count == 0
        ? List.of()
        : List.of(new Intent("sf-tok-0", "subnet-b", count, REV, NOW.minusSeconds(3)));
  }

  private static ServerFleet fleet(int desired) {
    ServerFleet fleet = LoopHarness.newFleet(desired);
    fleet.getMetadata().setGeneration(4L);
    return fleet;
  }

  private static ServerFleetStatus build(
      ServerFleet fleet,
      List<Instance> owned,
      List<Intent> intents,
      Optional<Degradation> degraded,
      Instant now) {
    PlanInput input =
        new PlanInput(
            SpecDefaults.replicas(fleet),
            SpecDefaults.subnetIds(fleet),
            REV,
            LoopHarness.CLUSTER,
            LoopHarness.UID,
            owned,
            intents,
            Set.of(),
            now,
            PlanInput.Timing.DEFAULT,
            SpecDefaults.policy(fleet),
            StatusBuilder.readySince(fleet));
    return StatusBuilder.build(
        fleet,
        REV,
        new InstanceChecks(input),
        owned,
        intents,
        degraded,
        Plan.Notes.NONE,
        null,
        now);
  }

  private static Condition condition(ServerFleetStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  static Stream<Arguments> counts() {
    return Stream.of(
        // name, desired, instances, launching, replicas, ready, updated, listed, Ready, reason
        Arguments.of(
            "all running",
            3,
            instances("running", "running", "running"),
            0,
            3,
            3,
            3,
            3,
            true,
            "AllInstancesReady"),
        Arguments.of("nothing yet", 3, instances(), 0, 0, 0, 0, 0, false, "ScalingUp"),
        Arguments.of(
            "short of desired",
            3,
            instances("running", "running"),
            0,
            2,
            2,
            2,
            2,
            false,
            "ScalingUp"),
        Arguments.of(
            "launches in flight cover the gap",
            3,
            instances("running", "running"),
            1,
            2,
            2,
            2,
            2,
            false,
            "InstancesNotReady"),
        Arguments.of(
            "launching, some in flight",
            3,
            instances("running"),
            1,
            1,
            1,
            1,
            1,
            false,
            "ScalingUp"),
        Arguments.of(
            "more than desired",
            1,
            instances("running", "running", "running"),
            0,
            3,
            3,
            3,
            3,
            false,
            "ScalingDown"),
        Arguments.of(
            "one on an old revision",
            3,
            instances("running", "running/old", "running"),
            0,
            3,
            3,
            2,
            3,
            false,
            "OutdatedInstances"),
        Arguments.of(
            "pending on an old revision",
            1,
            instances("pending/old"),
            0,
            1,
            0,
            0,
            1,
            false,
            "OutdatedInstances"),
        Arguments.of(
            "one pending",
            3,
            instances("running", "pending", "running"),
            0,
            3,
            2,
            3,
            3,
            false,
            "InstancesNotReady"),
        Arguments.of(
            "a stopped instance is listed but not live",
            3,
            instances("running", "stopped", "running"),
            0,
            2,
            2,
            2,
            3,
            false,
            "ScalingUp"),
        Arguments.of(
            "stopping counts as stopped",
            2,
            instances("running", "stopping"),
            0,
            1,
            1,
            1,
            2,
            false,
            "ScalingUp"),
        Arguments.of(
            "terminated and shutting-down are left out",
            2,
            instances("running", "terminated", "shutting-down", "running"),
            0,
            2,
            2,
            2,
            2,
            true,
            "AllInstancesReady"),
        Arguments.of(
            "zero desired, none there", 0, instances(), 0, 0, 0, 0, 0, true, "AllInstancesReady"),
        Arguments.of(
            "zero desired, one left", 0, instances("running"), 0, 1, 1, 1, 1, false, "ScalingDown"),
        Arguments.of(
            "zero desired, one shutting down",
            0,
            instances("shutting-down"),
            0,
            0,
            0,
            0,
            0,
            true,
            "AllInstancesReady"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("counts")
  void countsAndReadyReason(
      String name,
      int desired,
      List<Instance> owned,
      int launching,
      int replicas,
      int ready,
      int updated,
      int listed,
      boolean isReady,
      String reason) {
    ServerFleetStatus status =
        build(fleet(desired), owned, inFlight(launching), Optional.empty(), NOW);

    assertThat(status.getReplicas()).as("replicas").isEqualTo(replicas);
    assertThat(status.getReadyReplicas()).as("readyReplicas").isEqualTo(ready);
    assertThat(status.getAvailableReplicas()).as("availableReplicas").isEqualTo(ready);
    assertThat(status.getUpdatedReplicas()).as("updatedReplicas").isEqualTo(updated);
    assertThat(status.getInstances())
        .as("instances listed")
        .hasSize(listed)
        .extracting(InstanceStatus::state)
        .doesNotContain("terminated", "shutting-down");
    Condition readyCondition = condition(status, Conditions.READY);
    assertThat(readyCondition.getStatus()).isEqualTo(isReady ? "True" : "False");
    assertThat(readyCondition.getReason()).isEqualTo(reason);
    assertThat(readyCondition.getMessage()).isNotBlank();
    assertThat(readyCondition.getObservedGeneration()).isEqualTo(4L);
  }

  static Stream<Arguments> degradations() {
    return Stream.of(
        Arguments.of(Optional.empty(), "False", "AsExpected"),
        Arguments.of(
            Optional.of(
                new Degradation(
                    "LaunchFailed",
                    "RunInstances in subnet-a failed "
                        + "(InvalidAMIID.NotFound): The image id '[ami-0123456789abcdef0]' does not exist")),
            "True",
            "LaunchFailed"),
        Arguments.of(
            Optional.of(
                new Degradation(
                    "TerminateFailed", "TerminateInstances failed (UnauthorizedOperation)")),
            "True",
            "TerminateFailed"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("degradations")
  void degradedFollowsTheReportedFailure(
      Optional<Degradation> degraded, String status, String reason) {
    ServerFleetStatus built = build(fleet(1), instances("running"), List.of(), degraded, NOW);

    Condition c = condition(built, Conditions.DEGRADED);
    assertThat(c.getStatus()).isEqualTo(status);
    assertThat(c.getReason()).isEqualTo(reason);
    degraded.ifPresent(d -> assertThat(c.getMessage()).isEqualTo(d.message()));
    assertThat(c.getObservedGeneration()).isEqualTo(4L);
    assertThat(condition(built, Conditions.READY).getStatus())
        .as("degraded does not make a full fleet unready")
        .isEqualTo("True");
  }

  @Test
  void selectorRevisionAndGenerationDescribeTheFleet() {
    ServerFleetStatus status =
        build(fleet(1), instances("running"), List.of(), Optional.empty(), NOW);

    assertThat(status.getSelector()).isEqualTo("serverfleet.dev/fleet=shop.web");
    assertThat(status.getCurrentRevision()).isEqualTo(REV);
    assertThat(status.getObservedGeneration()).isEqualTo(4L);
    assertThat(status.getConditions())
        .extracting(Condition::getType)
        .containsExactly(Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED);
  }

  @Test
  void instancesAreSortedByLaunchTimeThenIdWithUnknownTimesLast() {
    List<Instance> owned =
        List.of(
            instance("i-c", InstanceState.RUNNING, REV, T0.plusSeconds(20)),
            instance("i-unknown", InstanceState.PENDING, REV, null),
            instance("i-b", InstanceState.RUNNING, REV, T0),
            instance("i-a", InstanceState.RUNNING, REV, T0),
            instance("i-gone", InstanceState.TERMINATED, REV, T0.minusSeconds(60)));

    ServerFleetStatus status = build(fleet(4), owned, List.of(), Optional.empty(), NOW);

    assertThat(status.getInstances())
        .extracting(InstanceStatus::id)
        .containsExactly("i-a", "i-b", "i-c", "i-unknown");
    assertThat(status.getInstances().get(3).launchTime()).isNull();
  }

  @Test
  void anInstanceIsReportedWithEc2NamesAndSecondPrecision() {
    Instance stopping =
        new Instance(
            "i-0123456789abcdef0",
            InstanceState.STOPPING,
            LoopHarness.AMI,
            "t3.micro",
            "subnet-b",
            "us-east-1b",
            "10.0.1.7",
            Instant.parse("2025-01-01T10:00:00.789Z"),
            Map.of(OwnershipTags.REVISION, REV));

    assertThat(StatusBuilder.instanceStatus(stopping, null))
        .isEqualTo(
            new InstanceStatus(
                "i-0123456789abcdef0",
                "stopping",
                REV,
                "subnet-b",
                "us-east-1b",
                "10.0.1.7",
                "2025-01-01T10:00:00Z",
                "UNKNOWN",
                null,
                null,
                "t3.micro",
                null,
                "on-demand"));
    assertThat(StatusBuilder.instanceStatus(stopping.withSpot(true), null).capacityType())
        .isEqualTo("spot");
  }

  @Test
  void anIntentsMarketIsRecordedAndReadBack() {
    Intent spot =
        new Intent(
                "sf-abc-2", "subnet-a", 1, REV, Instant.parse("2025-01-01T12:00:00Z"), "t3.micro")
            .withCapacityType("spot");
    assertThat(StatusBuilder.launchIntent(spot).capacityType()).isEqualTo("spot");
    assertThat(StatusBuilder.intent(StatusBuilder.launchIntent(spot))).isEqualTo(spot);
  }

  @Test
  void launchIntentsAreRecordedAndReadBack() {
    Intent intent =
        new Intent("sf-abc-1", "subnet-c", 2, REV, Instant.parse("2025-01-01T11:59:57.123456Z"));

    ServerFleetStatus status =
        build(fleet(3), instances("running"), List.of(intent), Optional.empty(), NOW);

    LaunchIntent recorded = status.getLaunchIntents().get(0);
    assertThat(recorded)
        .isEqualTo(
            new LaunchIntent(
                "sf-abc-1",
                "subnet-c",
                2,
                REV,
                "2025-01-01T11:59:57.123Z",
                null,
                "Written",
                0,
                "2025-01-01T11:59:57.123Z"));
    assertThat(StatusBuilder.intent(recorded))
        .isEqualTo(
            new Intent("sf-abc-1", "subnet-c", 2, REV, Instant.parse("2025-01-01T11:59:57.123Z")));
    assertThat(StatusBuilder.intent(new LaunchIntent("t", "subnet-a", null, REV, null, null)))
        .as("written by an operator version before the ledger had states")
        .isEqualTo(new Intent("t", "subnet-a", 1, REV, Instant.EPOCH));
  }

  @Test
  void anIntentKeepsItsInstanceTypeThroughStatus() {
    Intent intent =
        new Intent(
            "sf-abc-2", "subnet-a", 4, REV, Instant.parse("2025-01-01T11:59:57Z"), "t3.small");

    LaunchIntent recorded = StatusBuilder.launchIntent(intent);

    assertThat(recorded.instanceType()).isEqualTo("t3.small");
    assertThat(StatusBuilder.intent(recorded)).isEqualTo(intent);
    assertThat(
            StatusBuilder.intent(
                    StatusBuilder.launchIntent(LaunchLedger.answered(intent, List.of("i-1"), NOW)))
                .instanceType())
        .as("the type stays with the intent as it moves through the ledger")
        .isEqualTo("t3.small");
  }

  @ParameterizedTest
  @EnumSource(Intent.State.class)
  void everyLedgerStateSurvivesTheRoundTripThroughStatus(Intent.State state) {
    Instant created = Instant.parse("2025-01-01T11:59:57.123Z");
    Intent intent =
        new Intent(
            "sf-abc-1",
            "subnet-c",
            2,
            REV,
            created,
            state,
            3,
            created.plusSeconds(30),
            state == Intent.State.ACKNOWLEDGED ? List.of("i-1", "i-2") : List.of());

    assertThat(StatusBuilder.intent(StatusBuilder.launchIntent(intent))).isEqualTo(intent);
  }

  @Test
  void theSameObservationBuildsAnEqualStatus() {
    ServerFleet fleet = fleet(3);
    List<Instance> owned = instances("running", "pending", "stopped/old");

    ServerFleetStatus first = build(fleet, owned, inFlight(1), Optional.empty(), NOW);
    fleet.setStatus(first);
    // later, but within progressDeadlineSeconds: past it, Progressing rightly turns False
    ServerFleetStatus later =
        build(fleet, owned, inFlight(1), Optional.empty(), NOW.plusSeconds(300));

    assertThat(later).isEqualTo(first);
    assertThat(later.hashCode()).isEqualTo(first.hashCode());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenAConditionFlips() {
    ServerFleet fleet = fleet(2);
    ServerFleetStatus notReady =
        build(fleet, instances("running", "pending"), List.of(), Optional.empty(), NOW);
    String since = condition(notReady, Conditions.READY).getLastTransitionTime();
    assertThat(since).isEqualTo("2025-01-01T12:00:00Z");

    fleet.setStatus(notReady);
    ServerFleetStatus scalingUp =
        build(fleet, instances("running"), List.of(), Optional.empty(), NOW.plusSeconds(30));
    assertThat(condition(scalingUp, Conditions.READY).getReason()).isEqualTo("ScalingUp");
    assertThat(condition(scalingUp, Conditions.READY).getLastTransitionTime()).isEqualTo(since);

    fleet.setStatus(scalingUp);
    ServerFleetStatus ready =
        build(
            fleet,
            instances("running", "running"),
            List.of(),
            Optional.empty(),
            NOW.plusSeconds(90));
    assertThat(condition(ready, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2025-01-01T12:01:30Z");
    assertThat(condition(ready, Conditions.DEGRADED).getLastTransitionTime()).isEqualTo(since);

    fleet.setStatus(ready);
    fleet.getMetadata().setGeneration(5L);
    ServerFleetStatus degraded =
        build(
            fleet,
            instances("running", "running"),
            List.of(),
            Optional.of(new Degradation("LaunchFailed", "boom")),
            NOW.plusSeconds(120));
    assertThat(condition(degraded, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2025-01-01T12:01:30Z");
    assertThat(condition(degraded, Conditions.READY).getObservedGeneration()).isEqualTo(5L);
    assertThat(condition(degraded, Conditions.DEGRADED).getLastTransitionTime())
        .isEqualTo("2025-01-01T12:02:00Z");
    assertThat(degraded.getObservedGeneration()).isEqualTo(5L);
  }
}
