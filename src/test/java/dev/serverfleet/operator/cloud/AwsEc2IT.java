package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.MotoServer.Network;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@link AwsEc2} against moto. Each test works under its own cluster name, so tests share one moto
 * server without resetting it.
 */
class AwsEc2IT {
  private static final String AMI = "ami-0abcdef1234567890";

  private static MotoServer moto;
  private static Ec2Client raw;
  private static Network network;

  private AwsEc2 ec2;
  private String cluster;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.shared();
    raw = moto.ec2Client();
    network = moto.createNetwork(3);
  }

  @BeforeEach
  void newCluster() {
    ec2 = new AwsEc2(raw);
    cluster = "it-" + UUID.randomUUID();
  }

  @Test
  void describeOwnedReturnsOnlyThisClustersInstances() {
    List<Instance> mine = ec2.runInstances(launch(0, 2, r -> r));
    launchRaw(Map.of(OwnershipTags.CLUSTER, "other-" + cluster));
    launchRaw(Map.of("team", "shop"));

    List<Instance> owned = ec2.describeOwned(cluster);

    assertThat(owned).extracting(Instance::id).containsExactlyInAnyOrderElementsOf(ids(mine));
    assertThat(owned)
        .allSatisfy(
            i -> {
              assertThat(i.tags())
                  .containsEntry(OwnershipTags.CLUSTER, cluster)
                  .containsEntry("team", "shop");
              assertThat(i.imageId()).isEqualTo(AMI);
              assertThat(i.instanceType()).isEqualTo("t3.micro");
              assertThat(i.subnetId()).isEqualTo(network.subnetIds().get(0));
              assertThat(i.zone()).isEqualTo("us-east-1a");
              assertThat(i.privateIp()).startsWith("10.");
              assertThat(i.launchTime()).isNotNull();
            });
  }

  @Test
  void describeOwnedFollowsEveryPage() {
    // moto pages by reservation, so twelve one-instance launches under page size 5 make three
    // pages.
    AwsEc2 smallPages = new AwsEc2(raw, 5);
    List<String> launched = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      launched.addAll(ids(ec2.runInstances(launch(n % 3, 1, r -> r))));
    }

    var firstPage =
        raw.describeInstances(
            r ->
                r.maxResults(5)
                    .filters(
                        Filter.builder()
                            .name("tag:" + OwnershipTags.CLUSTER)
                            .values(cluster)
                            .build()));
    assertThat(firstPage.nextToken()).as("the query really spans pages").isNotBlank();

    assertThat(smallPages.describeOwned(cluster))
        .extracting(Instance::id)
        .containsExactlyInAnyOrderElementsOf(launched);
  }

  @Test
  void runInstancesTagsAtLaunchAndAppliesTheLaunchSettings() {
    LaunchRequest request = launch(1, 2, r -> r);
    List<Instance> launched = ec2.runInstances(request);

    assertThat(launched)
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.id()).matches("i-[0-9a-f]{17}");
              assertThat(i.state()).isEqualTo(InstanceState.PENDING);
              assertThat(i.subnetId()).isEqualTo(network.subnetIds().get(1));
              assertThat(i.zone()).isEqualTo("us-east-1b");
              assertThat(i.tags()).isEqualTo(request.tags());
            });
    var described =
        raw.describeInstances(r -> r.instanceIds(ids(launched))).reservations().stream()
            .flatMap(r -> r.instances().stream())
            .toList();
    assertThat(described)
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.metadataOptions().httpTokens()).isEqualTo(HttpTokensState.REQUIRED);
              assertThat(i.metadataOptions().httpPutResponseHopLimit()).isEqualTo(2);
              assertThat(i.tags())
                  .extracting(t -> Map.entry(t.key(), t.value()))
                  .containsExactlyInAnyOrderElementsOf(request.tags().entrySet());
              assertThat(i.securityGroups())
                  .extracting(g -> g.groupId())
                  .containsExactly(network.securityGroupId());
              assertThat(i.keyName()).isEqualTo("ops");
            });
    String userData =
        raw.describeInstanceAttribute(
                r -> r.instanceId(launched.get(0).id()).attribute(InstanceAttributeName.USER_DATA))
            .userData()
            .value();
    assertThat(new String(Base64.getDecoder().decode(userData), StandardCharsets.UTF_8))
        .isEqualTo("#!/bin/bash\necho hi");
    var volumes =
        raw.describeVolumes(
                r ->
                    r.filters(
                        Filter.builder()
                            .name("tag:" + OwnershipTags.CLUSTER)
                            .values(cluster)
                            .build()))
            .volumes();
    assertThat(volumes).hasSize(2);
  }

  @Test
  void spotLaunchesAreAccepted() {
    List<Instance> launched = ec2.runInstances(launch(2, 1, AwsEc2IT::spot));

    assertThat(launched).singleElement().extracting(Instance::zone).isEqualTo("us-east-1c");
  }

  @ParameterizedTest(name = "{0}={1} fails with {2}")
  @CsvSource(
      quoteCharacter = '"',
      delimiter = '|',
      value = {
        "ami | ami-0123456789abcdef0 | InvalidAMIID.NotFound | The image id '[ami-0123456789abcdef0]' does not exist",
        "subnet | subnet-0123456789abcdef0 | InvalidSubnetID.NotFound | The subnet ID 'subnet-0123456789abcdef0' does not exist",
        "type | t9.gigantic | InvalidInstanceType.NotFound | The instance type 't9.gigantic' does not exist",
        "group | sg-0123456789abcdef0 | InvalidGroup.NotFound | The security group 'sg-0123456789abcdef0' does not exist",
        "profile | web-role | NoSuchEntity | Instance profile web-role not found",
        "profile | arn:aws:iam::123456789012:instance-profile/web-role | NoSuchEntity | Instance profile arn:aws:iam::123456789012:instance-profile/web-role not found",
      })
  void badLaunchSettingsAreTerminalWithEc2sMessage(
      String field, String value, String code, String message) {
    LaunchRequest bad =
        launch(
            0,
            1,
            r ->
                switch (field) {
                  case "ami" ->
                      copy(
                          r,
                          r.subnetId(),
                          value,
                          r.instanceType(),
                          r.securityGroupIds(),
                          r.iamInstanceProfile());
                  case "subnet" ->
                      copy(
                          r,
                          value,
                          r.imageId(),
                          r.instanceType(),
                          r.securityGroupIds(),
                          r.iamInstanceProfile());
                  case "type" ->
                      copy(
                          r,
                          r.subnetId(),
                          r.imageId(),
                          value,
                          r.securityGroupIds(),
                          r.iamInstanceProfile());
                  case "group" ->
                      copy(
                          r,
                          r.subnetId(),
                          r.imageId(),
                          r.instanceType(),
                          List.of(value),
                          r.iamInstanceProfile());
                  default ->
                      copy(
                          r,
                          r.subnetId(),
                          r.imageId(),
                          r.instanceType(),
                          r.securityGroupIds(),
                          value);
                });

    assertThatThrownBy(() -> ec2.runInstances(bad))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).isEqualTo(message);
              assertThat(e.operation()).isEqualTo("RunInstances");
            });
    assertThat(ec2.describeOwned(cluster)).isEmpty();
  }

  @Test
  void terminateEndsTheGivenInstancesOnly() {
    List<Instance> launched = ec2.runInstances(launch(0, 3, r -> r));
    List<String> victims = ids(launched).subList(0, 2);

    ec2.terminate(victims);
    ec2.terminate(List.of());

    Map<String, InstanceState> states = new HashMap<>();
    ec2.describeOwned(cluster).forEach(i -> states.put(i.id(), i.state()));
    assertThat(states).hasSize(3);
    victims.forEach(id -> assertThat(states.get(id).isGone()).isTrue());
    assertThat(states.get(launched.get(2).id()).isLive()).isTrue();
  }

  @Test
  void describeHealthReportsStatusChecksOfTheGivenRunningInstancesInBatches() {
    List<Instance> launched = ec2.runInstances(launch(0, 7, r -> r));
    List<Instance> other = ec2.runInstances(launch(1, 1, r -> r));
    ec2.terminate(List.of(launched.get(1).id()));
    List<String> asked = new ArrayList<>(ids(launched));
    asked.add(3, "i-0123456789abcdef0"); // unknown to EC2: left out, not a failure

    // Page size 5 makes batches of 5 named ids: the 8 asked for take two calls, and more after the
    // refusal.
    Map<String, Health> health = new AwsEc2(moto.ec2Client(), 5).describeHealth(asked);

    List<String> running = new ArrayList<>(ids(launched));
    running.remove(1);
    assertThat(health).containsOnlyKeys(running);
    assertThat(health.values()).containsOnly(Health.OK);
    assertThat(health).doesNotContainKeys(launched.get(1).id(), other.get(0).id());
    assertThat(ec2.describeHealth(List.of())).isEmpty();
  }

  @Test
  void describeByIdsShowsTheGivenInstancesInAnyStateAndLeavesUnknownIdsOut() {
    List<Instance> launched = ec2.runInstances(launch(0, 6, r -> r));
    ec2.terminate(List.of(launched.get(1).id()));
    List<String> asked = new ArrayList<>(ids(launched).subList(0, 4));
    asked.add(2, "i-0123456789abcdef0"); // unknown to EC2 (or not visible yet): left out

    // Page size 5 makes batches of 5 ids: the 5 asked for take one call, and more after the
    // refusal.
    List<Instance> shown = new AwsEc2(moto.ec2Client(), 5).describeByIds(asked);

    assertThat(shown)
        .extracting(Instance::id)
        .containsExactlyElementsOf(ids(launched).subList(0, 4));
    assertThat(shown.get(1).state().isGone()).isTrue();
    assertThat(shown.get(0).tags()).containsEntry(OwnershipTags.CLUSTER, cluster);
    assertThat(ec2.describeByIds(List.of())).isEmpty();
  }

  @Test
  void aBatchWithAnUnknownIdTerminatesTheLiveInstanceAndDoesNotThrow() {
    Instance live = ec2.runInstances(launch(0, 1, r -> r)).get(0);

    BatchResult result = ec2.terminate(List.of(live.id(), "i-0123456789abcdef0"));

    assertThat(result.applied()).containsExactly(live.id());
    assertThat(result.notFound()).containsExactly("i-0123456789abcdef0");
    assertThat(ec2.describeOwned(cluster))
        .singleElement()
        .satisfies(i -> assertThat(i.state().isGone()).isTrue());
  }

  /** The wording {@link InstanceBatches} reads the missing ids from, as moto sends it (and AWS). */
  @Test
  void ec2RefusesTheWholeCallAndNamesTheUnknownIds() {
    Instance live = ec2.runInstances(launch(0, 1, r -> r)).get(0);

    assertThatThrownBy(
            () -> raw.terminateInstances(r -> r.instanceIds("i-0123456789abcdef0", live.id())))
        .isInstanceOfSatisfying(
            Ec2Exception.class,
            e -> {
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
              assertThat(e.awsErrorDetails().errorMessage())
                  .isEqualTo("The instance ID 'i-0123456789abcdef0' does not exist");
            });
    assertThatThrownBy(
            () ->
                raw.terminateInstances(
                    r -> r.instanceIds("i-0123456789abcdef0", "i-0123456789abcdef1")))
        .isInstanceOfSatisfying(
            Ec2Exception.class,
            e ->
                assertThat(e.awsErrorDetails().errorMessage())
                    .isEqualTo(
                        "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist"));
    assertThat(ec2.describeOwned(cluster))
        .singleElement()
        .satisfies(i -> assertThat(i.state().isLive()).isTrue());
  }

  @Test
  void untagRemovesOwnershipAndKeepsOtherTags() {
    Instance launched = ec2.runInstances(launch(0, 1, r -> r)).get(0);

    ec2.untag(List.of(launched.id()), OwnershipTags.OWNERSHIP_KEYS);

    assertThat(ec2.describeOwned(cluster)).isEmpty();
    var tags =
        raw.describeInstances(r -> r.instanceIds(launched.id()))
            .reservations()
            .get(0)
            .instances()
            .get(0)
            .tags();
    assertThat(tags).extracting(Tag::key).containsExactlyInAnyOrder("team", OwnershipTags.NAME);
  }

  @Test
  void aRefusedConnectionIsTransientAndSentNothing() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (Ec2Client nowhere =
        AwsEc2.client(
            MotoServer.REGION,
            Optional.of(URI.create("http://127.0.0.1:" + closedPort)),
            false,
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))) {

      assertThatThrownBy(() -> new AwsEc2(nowhere).describeOwned(cluster))
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> {
                assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
                assertThat(e.code()).isEqualTo(ErrorClassifier.NOT_CONNECTED);
                assertThat(e.neverSent()).isTrue();
                assertThat(e.getMessage()).doesNotContain("testing");
              });
    }
  }

  // ---- helpers ----

  private LaunchRequest launch(int subnet, int count, UnaryOperator<LaunchRequest> change) {
    String token = UUID.randomUUID().toString();
    return change.apply(
        new LaunchRequest(
            token,
            network.subnetIds().get(subnet),
            count,
            AMI,
            "t3.micro",
            List.of(network.securityGroupId()),
            "ops",
            null,
            "#!/bin/bash\necho hi",
            false,
            true,
            2,
            launchTags(token)));
  }

  private Map<String, String> launchTags(String token) {
    return Map.of(
        OwnershipTags.CLUSTER,
        cluster,
        OwnershipTags.FLEET,
        "shop/web",
        OwnershipTags.FLEET_UID,
        "uid-1",
        OwnershipTags.REVISION,
        "7c9f5d",
        OwnershipTags.LAUNCH,
        token,
        OwnershipTags.NAME,
        "web-" + token.substring(0, 5),
        "team",
        "shop");
  }

  private void launchRaw(Map<String, String> tags) {
    List<Tag> sdkTags =
        tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    raw.runInstances(
        r ->
            r.imageId(AMI)
                .instanceType("t3.micro")
                .minCount(1)
                .maxCount(1)
                .subnetId(network.subnetIds().get(0))
                .tagSpecifications(
                    TagSpecification.builder()
                        .resourceType(ResourceType.INSTANCE)
                        .tags(sdkTags)
                        .build()));
  }

  private static LaunchRequest spot(LaunchRequest r) {
    return new LaunchRequest(
        r.clientToken(),
        r.subnetId(),
        r.count(),
        r.imageId(),
        r.instanceType(),
        r.securityGroupIds(),
        r.keyName(),
        r.iamInstanceProfile(),
        r.userData(),
        true,
        r.httpTokensRequired(),
        r.httpPutResponseHopLimit(),
        r.tags());
  }

  private static LaunchRequest copy(
      LaunchRequest r,
      String subnet,
      String ami,
      String type,
      List<String> groups,
      String profile) {
    return new LaunchRequest(
        r.clientToken(),
        subnet,
        r.count(),
        ami,
        type,
        groups,
        r.keyName(),
        profile,
        r.userData(),
        r.spot(),
        r.httpTokensRequired(),
        r.httpPutResponseHopLimit(),
        r.tags());
  }

  private static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).toList();
  }
}
