package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.FakeEventQueue;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.Interruption;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MutableClock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer against an in-memory queue, a real sweep cache and a fleet lookup. */
class InterruptionConsumerTest {
  private static final ResourceID FLEET = new ResourceID("web", "shop");
  private static final String OWNED = "i-0123456789abcdef0";
  private static final String OWNED_TOO = "i-0123456789abcdef1";

  private final MutableClock clock = new MutableClock();
  private final FakeEventQueue queue = new FakeEventQueue();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InterruptionNotices notices = new InterruptionNotices();
  private final List<String> warnings = new ArrayList<>();
  private final List<Collection<String>> described = new ArrayList<>();
  private ServerFleet fleet = LoopHarness.newFleet(2);
  private InstanceSweep sweep;
  private InterruptionConsumer consumer;

  @BeforeEach
  void setUp() {
    fleet.getMetadata().setNamespace("shop");
    fleet.getMetadata().setName("web");
    Instance owned =
        new Instance(
            OWNED,
            InstanceState.RUNNING,
            "ami-1",
            "t3.micro",
            "subnet-a",
            "us-east-1a",
            null,
            Instant.EPOCH,
            Map.of(OwnershipTags.FLEET, "shop/web"));
    Instance ownedToo =
        new Instance(
            OWNED_TOO,
            InstanceState.RUNNING,
            "ami-1",
            "t3.micro",
            "subnet-b",
            "us-east-1b",
            null,
            Instant.EPOCH,
            Map.of(OwnershipTags.FLEET, "shop/web"));
    sweep =
        new InstanceSweep(
            () -> Map.of(FLEET, Set.of(owned, ownedToo)),
            Duration.ofMinutes(10),
            clock,
            registry,
            x -> {},
            ids -> {
              described.add(List.copyOf(ids));
              return List.of(owned.withState(InstanceState.STOPPING));
            },
            Duration.ZERO);
    sweep.sweepOnce();
    consumer = consumer(Duration.ZERO);
  }

  private InterruptionConsumer consumer(Duration settleWait) {
    OrphanCollector.Fleets fleets =
        new OrphanCollector.Fleets() {
          @Override
          public Optional<ServerFleet> cached(ResourceID id) {
            return id.equals(FLEET) ? Optional.of(fleet) : Optional.empty();
          }

          @Override
          public Optional<ServerFleet> get(ResourceID id) {
            return cached(id);
          }
        };
    FleetEvents events =
        new FleetEvents() {
          @Override
          public void normal(ServerFleet f, String reason, String message) {}

          @Override
          public void warning(ServerFleet f, String reason, String message) {
            warnings.add(reason + ": " + message);
          }
        };
    return new InterruptionConsumer(
        queue, sweep, fleets, notices, events, registry, clock, settleWait);
  }

  private static String sample(String name, String instanceId) {
    try (InputStream in = InterruptionConsumerTest.class.getResourceAsStream("/events/" + name)) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return body.replace("i-1234567890abcdef0", instanceId).replace("i-abcd1111", instanceId);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private double count(String type, String outcome) {
    Counter c =
        registry
            .find("serverfleet.interruption.messages")
            .tag("type", type)
            .tag("outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  /** What the fleet's reconcile does with the notices: writes them into status, then settles. */
  private void reconcileRecordsNotices() {
    ServerFleetStatus status = new ServerFleetStatus();
    List<InstanceStatus> instances = new ArrayList<>();
    Map<String, Interruption> doomed = InterruptionNotices.doomed(fleet, notices.of(FLEET));
    instances.add(
        new InstanceStatus(OWNED, "running", "r", "subnet-a", null, null, null, "OK", null, null)
            .withInterruption(InterruptionNotices.status(doomed.get(OWNED))));
    status.setInstances(instances);
    fleet.setStatus(status);
    notices.settle(FLEET, status);
  }

  @Test
  void aSpotWarningIsKeptInTheQueueUntilTheFleetStatusRecordsIt() throws Exception {
    queue.send(sample("spot-interruption-warning.json", OWNED));

    consumer.pollOnce();

    assertThat(notices.of(FLEET)).containsOnlyKeys(OWNED);
    assertThat(queue.deleted()).isEmpty();
    assertThat(queue.inFlight()).isEqualTo(1);
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("InterruptionWarning: AWS will take " + OWNED);

    reconcileRecordsNotices();
    queue.expireVisibility(); // SQS delivers it again
    consumer.pollOnce();

    assertThat(queue.deleted()).hasSize(1);
    assertThat(warnings).hasSize(1); // announced once
    assertThat(count("spot-interruption", "accepted")).isEqualTo(1);
    assertThat(count("spot-interruption", "duplicate")).isEqualTo(1);
  }

  @Test
  void aRepeatedWarningBeforeItIsRecordedIsOneNotice() throws Exception {
    queue.send(sample("spot-interruption-warning.json", OWNED));
    queue.send(sample("spot-interruption-warning.json", OWNED));

    consumer.pollOnce();

    assertThat(notices.of(FLEET)).hasSize(1);
    assertThat(warnings).hasSize(1);
  }

  @Test
  void malformedUnknownAndForeignMessagesAreDeletedAndCounted() throws Exception {
    queue.send("{not json");
    queue.send(sample("state-change-notification.json", OWNED).replace("State-change", "Other"));
    queue.send(sample("spot-interruption-warning.json", "i-0fffffffffffffff0"));
    queue.send(sample("state-change-notification.json", "i-0fffffffffffffff0"));

    consumer.pollOnce();

    assertThat(queue.deleted()).hasSize(4);
    assertThat(notices.of(FLEET)).isEmpty();
    assertThat(count("malformed", "malformed")).isEqualTo(1);
    assertThat(count("unknown", "unknown")).isEqualTo(1);
    assertThat(count("spot-interruption", "foreign")).isEqualTo(1);
    assertThat(count("state-change", "foreign")).isEqualTo(1);
    assertThat(described).isEmpty();
  }

  @Test
  void aRebalanceRecommendationDoomsOnlyWithCapacityRebalance() throws Exception {
    queue.send(sample("rebalance-recommendation.json", OWNED));
    consumer.pollOnce();

    assertThat(notices.of(FLEET)).isEmpty();
    assertThat(queue.deleted()).hasSize(1);
    assertThat(count("rebalance-recommendation", "ignored")).isEqualTo(1);

    fleet.getSpec().setCapacityRebalance(true);
    queue.send(sample("rebalance-recommendation.json", OWNED));
    consumer.pollOnce();

    assertThat(notices.of(FLEET)).containsOnlyKeys(OWNED);
    assertThat(notices.of(FLEET).get(OWNED).kind())
        .isEqualTo(Interruption.Kind.REBALANCE_RECOMMENDATION);
  }

  @Test
  void aHealthRetirementDoomsByItsStartTime() throws Exception {
    queue.send(sample("health-instance-retirement.json", OWNED));

    consumer.pollOnce();

    assertThat(notices.of(FLEET).get(OWNED).deadline())
        .isEqualTo(Instant.parse("2021-06-05T15:10:09Z"));
  }

  @Test
  void aStateChangeDescribesTheInstanceIntoTheCacheAndIsDeleted() throws Exception {
    queue.send(sample("state-change-notification.json", OWNED));
    clock.advance(Duration.ofSeconds(1)); // the event comes after the sweep

    consumer.pollOnce();

    assertThat(described).containsExactly(List.of(OWNED));
    assertThat(sweep.observe(FLEET).swept())
        .filteredOn(i -> i.id().equals(OWNED))
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.STOPPING));
    assertThat(queue.deleted()).hasSize(1);
    assertThat(count("state-change", "accepted")).isEqualTo(1);
  }

  @Test
  void theStateChangesOfOneReceivedBatchAreDescribedInOneCall() throws Exception {
    queue.send(sample("state-change-notification.json", OWNED));
    queue.send(sample("state-change-notification.json", OWNED_TOO));
    queue.send(sample("state-change-notification.json", OWNED)); // a repeat: described once
    clock.advance(Duration.ofSeconds(1));

    consumer.pollOnce();

    assertThat(described).hasSize(1);
    assertThat(described.get(0)).containsExactlyInAnyOrder(OWNED, OWNED_TOO);
    assertThat(queue.deleted()).hasSize(3);
    assertThat(count("state-change", "accepted")).isEqualTo(3);
  }
}
