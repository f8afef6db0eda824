package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.serverfleet.operator.cloud.BatchResult;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MutableClock;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class InstancePollerTest {
  private static final String CLUSTER = "test-cluster";
  private static final ResourceID WEB = new ResourceID("web", "shop");
  private static final ResourceID API = new ResourceID("api", "shop");

  private final MutableClock clock = new MutableClock();
  private final FakeEc2 fake = new FakeEc2(clock);
  private final List<List<String>> healthAsked = new ArrayList<>();

  @Test
  void noStatusCallWhenNoFleetWantsStatusChecks() {
    launch(WEB, 2);
    launch(API, 2);

    Map<ResourceID, Set<Instance>> polled = poller(fleet -> false).poll();

    assertThat(fake.calls(FakeEc2.DESCRIBE_STATUS)).isZero();
    assertThat(polled.get(WEB))
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.health()).isEqualTo(Health.UNKNOWN));
    assertThat(polled.get(API)).hasSize(2);
  }

  @Test
  void asksOnlyForTheRunningInstancesOfFleetsThatWantStatusChecks() {
    fake.setPendingDuration(Duration.ofSeconds(30));
    String early = launch(WEB, 1).get(0);
    clock.advance(Duration.ofSeconds(30));
    List<String> stillPending = launch(WEB, 2);
    launch(API, 3);
    fake.setPendingDuration(Duration.ZERO);
    String impaired = launch(WEB, 1).get(0);
    fake.setHealth(impaired, Health.IMPAIRED);

    Map<ResourceID, Set<Instance>> polled = poller(WEB::equals).poll();

    assertThat(healthAsked)
        .singleElement()
        .satisfies(ids -> assertThat(ids).containsExactlyInAnyOrder(early, impaired));
    assertThat(polled.get(WEB))
        .extracting(Instance::id, Instance::health)
        .containsExactlyInAnyOrder(
            tuple(early, Health.OK), tuple(impaired, Health.IMPAIRED),
            tuple(stillPending.get(0), Health.UNKNOWN), tuple(stillPending.get(1), Health.UNKNOWN));
    assertThat(polled.get(API))
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.health()).isEqualTo(Health.UNKNOWN));
  }

  @Test
  void aFailingStatusCallLeavesASuccessfulPollWithUnknownHealth() {
    launch(WEB, 2);
    launch(API, 1);
    fake.injectNext(
        FakeEc2.DESCRIBE_STATUS,
        ErrorClassifier.fromCode(
            FakeEc2.DESCRIBE_STATUS, "InternalError", "An internal error has occurred", 500));

    Map<ResourceID, Set<Instance>> polled = poller(fleet -> true).poll();

    assertThat(fake.calls(FakeEc2.DESCRIBE_STATUS)).isEqualTo(1);
    assertThat(polled).containsOnlyKeys(WEB, API);
    assertThat(polled.values().stream().flatMap(Set::stream))
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.health()).isEqualTo(Health.UNKNOWN));
    assertThat(poller(fleet -> true).poll().get(WEB))
        .allSatisfy(i -> assertThat(i.health()).isEqualTo(Health.OK));
  }

  @Test
  void aFailingDescribeInstancesStillFailsThePoll() {
    launch(WEB, 1);
    fake.throttleNext(FakeEc2.DESCRIBE, 1);

    assertThatThrownBy(() -> poller(fleet -> true).poll()).isInstanceOf(CloudException.class);
    assertThat(fake.calls(FakeEc2.DESCRIBE_STATUS)).isZero();
  }

  @Test
  void statusChecksGoInCallsOfAHundredIds() {
    launch(WEB, 250);

    poller(fleet -> true).poll();

    assertThat(healthAsked).singleElement().satisfies(ids -> assertThat(ids).hasSize(250));
    assertThat(fake.calls(FakeEc2.DESCRIBE_STATUS)).isEqualTo(3);
  }

  @Test
  void instancesWithoutAFleetTagAreLeftOut() {
    launch(WEB, 1);
    fake.addForeignInstance("subnet-a", Map.of(OwnershipTags.CLUSTER, CLUSTER));
    fake.addForeignInstance(
        "subnet-a", Map.of(OwnershipTags.CLUSTER, CLUSTER, OwnershipTags.FLEET, "shop/"));

    assertThat(poller(fleet -> true).poll()).containsOnlyKeys(WEB);
  }

  private InstancePoller poller(Predicate<ResourceID> wantsStatusChecks) {
    return new InstancePoller(new RecordingHealth(), CLUSTER, wantsStatusChecks);
  }

  private List<String> launch(ResourceID fleet, int count) {
    String token = fleet.getName() + "-" + fake.runRequests().size();
    return fake
        .runInstances(
            new LaunchRequest(
                token,
                "subnet-a",
                count,
                FakeEc2.DEFAULT_AMIS.get(0),
                "t3.micro",
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
                    fleet.getNamespace().orElseThrow() + "/" + fleet.getName())))
        .stream()
        .map(Instance::id)
        .toList();
  }

  /** The fake, with the ids of each describeHealth call recorded. */
  private final class RecordingHealth implements Ec2Port {
    @Override
    public List<Instance> describeOwned(String clusterName) {
      return fake.describeOwned(clusterName);
    }

    @Override
    public List<Instance> describeLaunch(String clusterName, String clientToken) {
      return fake.describeLaunch(clusterName, clientToken);
    }

    @Override
    public Map<String, Health> describeHealth(Collection<String> instanceIds) {
      healthAsked.add(List.copyOf(instanceIds));
      return fake.describeHealth(instanceIds);
    }

    @Override
    public List<Instance> describeByIds(Collection<String> instanceIds) {
      return fake.describeByIds(instanceIds);
    }

    @Override
    public List<Instance> runInstances(LaunchRequest request) {
      return fake.runInstances(request);
    }

    @Override
    public BatchResult terminate(Collection<String> instanceIds) {
      return fake.terminate(instanceIds);
    }

    @Override
    public java.util.Set<String> existingImages(Collection<String> amiIds) {
      return fake.existingImages(amiIds);
    }

    @Override
    public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
      return fake.untag(instanceIds, tagKeys);
    }
  }
}
