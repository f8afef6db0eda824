package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakeEc2Test {
  private static final String CLUSTER = "test-cluster";

  private final MutableClock clock = new MutableClock();
  private final FakeEc2 ec2 = new FakeEc2(clock);

  @Test
  void sameClientTokenReturnsTheSameInstancesWithoutLaunching() {
    List<Instance> first = ec2.runInstances(launch("tok-1", "subnet-a", 2));
    List<Instance> again = ec2.runInstances(launch("tok-1", "subnet-a", 2));

    assertThat(again)
        .extracting(Instance::id)
        .containsExactlyElementsOf(first.stream().map(Instance::id).toList());
    assertThat(ec2.instances()).hasSize(2);
    assertThat(ec2.calls(FakeEc2.RUN)).isEqualTo(2);
    assertThat(ec2.runRequests()).hasSize(2);
  }

  @Test
  void sameClientTokenWithOtherParametersIsATerminalMismatch() {
    ec2.runInstances(launch("tok-1", "subnet-a", 1));

    assertThatThrownBy(() -> ec2.runInstances(launch("tok-1", "subnet-a", 3)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
              assertThat(e.code()).isEqualTo("IdempotentParameterMismatch");
            });
    assertThat(ec2.instances()).hasSize(1);
  }

  @Test
  void aFailedLaunchDoesNotConsumeItsToken() {
    ec2.setInsufficientCapacity("subnet-a", true);
    assertThatThrownBy(() -> ec2.runInstances(launch("tok-1", "subnet-a", 1)))
        .isInstanceOf(CloudException.class);

    ec2.setInsufficientCapacity("subnet-a", false);

    assertThat(ec2.runInstances(launch("tok-1", "subnet-a", 1))).hasSize(1);
  }

  @Test
  void launchedInstancesAppearInDescribeOnlyAfterTheVisibilityDelay() {
    ec2.setVisibilityDelay(Duration.ofSeconds(5));
    List<Instance> launched = ec2.runInstances(launch("tok-1", "subnet-a", 1));

    assertThat(launched).hasSize(1);
    assertThat(ec2.describeOwned(CLUSTER)).isEmpty();
    assertThat(ec2.instances()).hasSize(1);

    clock.advance(Duration.ofSeconds(5));

    assertThat(ec2.describeOwned(CLUSTER))
        .extracting(Instance::id)
        .containsExactly(launched.get(0).id());
  }

  @Test
  void describeByIdsLeavesOutIdsNotVisibleYetAndCountsTheRefusedCall() {
    ec2.setPendingDuration(Duration.ofSeconds(10));
    Instance older = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);
    ec2.setVisibilityDelay(Duration.ofSeconds(5));
    Instance fresh = ec2.runInstances(launch("tok-2", "subnet-a", 1)).get(0);

    List<Instance> shown = ec2.describeByIds(List.of(older.id(), fresh.id()));

    assertThat(shown).extracting(Instance::id).containsExactly(older.id());
    assertThat(shown.get(0).state()).isEqualTo(InstanceState.PENDING);
    assertThat(ec2.calls(FakeEc2.DESCRIBE)).as("refused whole, then again without it").isEqualTo(2);
    clock.advance(Duration.ofSeconds(10));
    assertThat(ec2.describeByIds(List.of(older.id(), fresh.id())))
        .extracting(Instance::state)
        .containsOnly(InstanceState.RUNNING)
        .hasSize(2);
    assertThat(ec2.describeByIds(List.of())).isEmpty();
    assertThat(ec2.calls(FakeEc2.DESCRIBE)).isEqualTo(3);
  }

  @Test
  void instancesArePendingThenRunning() {
    ec2.setPendingDuration(Duration.ofSeconds(30));
    Instance launched = ec2.runInstances(launch("tok-1", "subnet-b", 1)).get(0);

    assertThat(launched.state()).isEqualTo(InstanceState.PENDING);
    assertThat(launched.zone()).isEqualTo("us-east-1b");
    assertThat(launched.id()).matches("i-[0-9a-f]{17}");
    assertThat(launched.tag(OwnershipTags.CLUSTER)).isEqualTo(CLUSTER);
    clock.advance(Duration.ofSeconds(29));
    assertThat(ec2.describeOwned(CLUSTER).get(0).state()).isEqualTo(InstanceState.PENDING);

    clock.advance(Duration.ofSeconds(1));

    assertThat(ec2.describeOwned(CLUSTER).get(0).state()).isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void throttlesTheNextCallsOfOneOperation() {
    ec2.throttleNext(FakeEc2.DESCRIBE, 2);

    for (int n = 0; n < 2; n++) {
      assertThatThrownBy(() -> ec2.describeOwned(CLUSTER))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.errorClass()).isEqualTo(ErrorClass.THROTTLED);
                assertThat(e.code()).isEqualTo("RequestLimitExceeded");
              });
    }
    assertThat(ec2.runInstances(launch("tok-1", "subnet-a", 1))).hasSize(1);
    assertThat(ec2.describeOwned(CLUSTER)).hasSize(1);
    assertThat(ec2.calls(FakeEc2.DESCRIBE)).isEqualTo(3);
  }

  @Test
  void insufficientCapacityIsPerSubnet() {
    ec2.setInsufficientCapacity("subnet-a", true);

    assertThatThrownBy(() -> ec2.runInstances(launch("tok-1", "subnet-a", 1)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.INSUFFICIENT_CAPACITY);
              assertThat(e.code()).isEqualTo("InsufficientInstanceCapacity");
              assertThat(e.getMessage()).contains("us-east-1a");
            });
    assertThat(ec2.runInstances(launch("tok-2", "subnet-b", 1))).hasSize(1);
  }

  @Test
  void unknownAmiAndSubnetAreTerminal() {
    LaunchRequest badAmi = withAmi(launch("tok-1", "subnet-a", 1), "ami-0123456789abcdef0");

    assertThatThrownBy(() -> ec2.runInstances(badAmi))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
              assertThat(e.code()).isEqualTo("InvalidAMIID.NotFound");
              assertThat(e.getMessage())
                  .isEqualTo("The image id '[ami-0123456789abcdef0]' does not exist");
            });
    assertThatThrownBy(() -> ec2.runInstances(launch("tok-2", "subnet-nope", 1)))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
              assertThat(e.code()).isEqualTo("InvalidSubnetID.NotFound");
            });
    assertThat(ec2.instances()).isEmpty();
  }

  @Test
  void injectedErrorsComeOutOnceInOrder() {
    CloudException first =
        new CloudException(FakeEc2.TERMINATE, ErrorClass.TRANSIENT, "InternalError", "oops");
    CloudException second =
        new CloudException(FakeEc2.TERMINATE, ErrorClass.TERMINAL, "UnauthorizedOperation", "no");
    Instance i = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);
    ec2.injectNext(FakeEc2.TERMINATE, first).injectNext(FakeEc2.TERMINATE, second);

    assertThatThrownBy(() -> ec2.terminate(List.of(i.id()))).isSameAs(first);
    assertThatThrownBy(() -> ec2.terminate(List.of(i.id()))).isSameAs(second);
    ec2.terminate(List.of(i.id()));

    assertThat(ec2.instance(i.id()))
        .get()
        .extracting(Instance::state)
        .isEqualTo(InstanceState.TERMINATED);
  }

  @Test
  void terminatedInstancesShutDownThenStayVisibleForAWhile() {
    ec2.setShutdownDuration(Duration.ofSeconds(10)).setTerminatedRetention(Duration.ofMinutes(60));
    Instance i = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);

    ec2.terminate(List.of(i.id()));
    assertThat(ec2.describeOwned(CLUSTER).get(0).state()).isEqualTo(InstanceState.SHUTTING_DOWN);
    clock.advance(Duration.ofSeconds(10));
    assertThat(ec2.describeOwned(CLUSTER).get(0).state()).isEqualTo(InstanceState.TERMINATED);
    clock.advance(Duration.ofMinutes(60));

    assertThat(ec2.describeOwned(CLUSTER)).isEmpty();
  }

  @Test
  void aBatchWithAnUnknownIdTerminatesTheKnownOnesAndReportsTheUnknown() {
    List<Instance> live = ec2.runInstances(launch("tok-1", "subnet-a", 2));
    String unknown = "i-0123456789abcdef0";

    BatchResult result = ec2.terminate(List.of(live.get(0).id(), unknown, live.get(1).id()));

    assertThat(result.applied()).containsExactly(live.get(0).id(), live.get(1).id());
    assertThat(result.notFound()).containsExactly(unknown);
    assertThat(ec2.instances()).extracting(Instance::state).containsOnly(InstanceState.TERMINATED);
    // EC2 refused the first call whole; the second went without the id it named.
    assertThat(ec2.calls(FakeEc2.TERMINATE)).isEqualTo(2);
  }

  @Test
  void aBatchOfOnlyUnknownIdsIsNotAnErrorAndEmptyInputMakesNoCall() {
    BatchResult result = ec2.terminate(List.of("i-00000000000000001", "i-00000000000000002"));
    ec2.terminate(List.of());

    assertThat(result.applied()).isEmpty();
    assertThat(result.notFound()).containsExactly("i-00000000000000001", "i-00000000000000002");
    assertThat(ec2.calls(FakeEc2.TERMINATE)).isEqualTo(1);
  }

  @Test
  void aNotFoundThatNamesNoIdSplitsTheBatchSoTheOthersStillTerminate() {
    List<Instance> live = ec2.runInstances(launch("tok-1", "subnet-a", 3));
    List<String> ids = new java.util.ArrayList<>(live.stream().map(Instance::id).toList());
    ids.add(1, "i-0123456789abcdef0");
    ec2.injectNext(
        FakeEc2.TERMINATE,
        ErrorClassifier.fromCode(
            FakeEc2.TERMINATE,
            "InvalidInstanceID.NotFound",
            "One or more instances do not exist",
            400));

    BatchResult result = ec2.terminate(ids);

    assertThat(result.applied())
        .containsExactlyInAnyOrderElementsOf(live.stream().map(Instance::id).toList());
    assertThat(result.notFound()).containsExactly("i-0123456789abcdef0");
    assertThat(ec2.instances()).extracting(Instance::state).containsOnly(InstanceState.TERMINATED);
  }

  @Test
  void aFailureOtherThanAnUnknownIdStillThrows() {
    Instance i = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);
    ec2.throttleNext(FakeEc2.TERMINATE, 1);

    assertThatThrownBy(() -> ec2.terminate(List.of(i.id(), "i-0123456789abcdef0")))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.THROTTLED));
    assertThat(ec2.instance(i.id()))
        .get()
        .extracting(Instance::state)
        .isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void untagLeavesUnknownIdsOutAndUntagsTheRest() {
    Instance i = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);

    BatchResult result =
        ec2.untag(List.of("i-0123456789abcdef0", i.id()), OwnershipTags.OWNERSHIP_KEYS);

    assertThat(result.applied()).containsExactly(i.id());
    assertThat(result.notFound()).containsExactly("i-0123456789abcdef0");
    assertThat(ec2.instance(i.id()).orElseThrow().tags()).containsOnlyKeys("team");
    assertThat(ec2.calls(FakeEc2.DELETE_TAGS)).isEqualTo(2);
  }

  @Test
  void untagRemovesOwnershipSoDescribeNoLongerReturnsTheInstance() {
    Instance i = ec2.runInstances(launch("tok-1", "subnet-a", 1)).get(0);

    ec2.untag(List.of(i.id()), OwnershipTags.OWNERSHIP_KEYS);

    assertThat(ec2.describeOwned(CLUSTER)).isEmpty();
    assertThat(ec2.instance(i.id()).orElseThrow().tags()).containsOnlyKeys("team");
  }

  @Test
  void describeReturnsOnlyThisClustersInstancesAndCountsPages() {
    ec2.addForeignInstance("subnet-a", Map.of(OwnershipTags.CLUSTER, "other-cluster"));
    ec2.addForeignInstance("subnet-b", Map.of("team", "shop"));
    ec2.runInstances(launch("tok-1", "subnet-a", 1001));

    assertThat(ec2.describeOwned(CLUSTER)).hasSize(1001);
    assertThat(ec2.calls(FakeEc2.DESCRIBE)).isEqualTo(2);
    assertThat(ec2.instances()).hasSize(1003);
  }

  @Test
  void outOfBandChangesShowUpInDescribe() {
    List<Instance> two = ec2.runInstances(launch("tok-1", "subnet-a", 2));

    ec2.stop(two.get(0).id());
    ec2.terminateOutOfBand(two.get(1).id());

    assertThat(ec2.describeOwned(CLUSTER))
        .extracting(Instance::state)
        .containsExactlyInAnyOrder(InstanceState.STOPPED, InstanceState.TERMINATED);
    assertThat(ec2.calls(FakeEc2.TERMINATE)).isZero();
  }

  @Test
  void resetForgetsStateButKeepsTopology() {
    ec2.runInstances(launch("tok-1", "subnet-a", 1));
    ec2.throttleNext(FakeEc2.RUN, 5).setInsufficientCapacity("subnet-b", true);

    ec2.reset();

    assertThat(ec2.instances()).isEmpty();
    assertThat(ec2.calls(FakeEc2.RUN)).isZero();
    assertThat(ec2.runInstances(launch("tok-1", "subnet-b", 1))).hasSize(1);
  }

  private static LaunchRequest launch(String token, String subnet, int count) {
    return new LaunchRequest(
        token,
        subnet,
        count,
        FakeEc2.DEFAULT_AMIS.get(0),
        "t3.micro",
        List.of("sg-1"),
        null,
        null,
        null,
        false,
        true,
        2,
        Map.of(OwnershipTags.CLUSTER, CLUSTER, OwnershipTags.LAUNCH, token, "team", "shop"));
  }

  private static LaunchRequest withAmi(LaunchRequest r, String ami) {
    return new LaunchRequest(
        r.clientToken(),
        r.subnetId(),
        r.count(),
        ami,
        r.instanceType(),
        r.securityGroupIds(),
        r.keyName(),
        r.iamInstanceProfile(),
        r.userData(),
        r.spot(),
        r.httpTokensRequired(),
        r.httpPutResponseHopLimit(),
        r.tags());
  }
}
