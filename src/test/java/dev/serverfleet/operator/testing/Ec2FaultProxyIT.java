package dev.serverfleet.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.Ec2Call.Outcome;
import dev.serverfleet.operator.testing.MotoServer.Network;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@link Ec2FaultProxy} between the operator's SDK client and moto. Each test has its own proxy and
 * cluster name; moto is shared and never reset.
 */
class Ec2FaultProxyIT {
  private static final String AMI = "ami-0abcdef1234567890";
  private static final String AUTH =
      "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0";

  private static MotoServer moto;
  private static Network network;

  private Ec2FaultProxy proxy;
  private Ec2Client client;
  private AwsEc2 ec2;
  private String cluster;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.shared();
    network = moto.createNetwork(1);
  }

  @BeforeEach
  void startProxy() {
    proxy = Ec2FaultProxy.start(moto.endpoint());
    var credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    client = AwsEc2.client(MotoServer.REGION, Optional.of(proxy.endpoint()), false, credentials);
    ec2 = new AwsEc2(client);
    cluster = "proxy-" + UUID.randomUUID();
  }

  @AfterEach
  void stopProxy() {
    client.close();
    proxy.close();
  }

  @Test
  void motoAloneLaunchesAgainForARepeatedToken() {
    AwsEc2 direct = new AwsEc2(moto.ec2Client());
    LaunchRequest request = launch(1);

    List<String> first = ids(direct.runInstances(request));
    List<String> second = ids(direct.runInstances(request));

    assertThat(second).doesNotContainAnyElementsOf(first);
    assertThat(inMoto()).hasSize(2);
  }

  @Test
  void reportedPendingUntilTheirTimeComesThenRunningAsMotoHasThem() {
    String old = ids(ec2.runInstances(launch(1))).get(0);
    proxy.reportPending(Duration.ofHours(1));
    List<String> fresh = ids(ec2.runInstances(launch(2)));
    List<String> all = List.of(old, fresh.get(0), fresh.get(1));

    assertThat(ec2.describeByIds(all))
        .as("moto has them running; the proxy reports those launched within the hour pending")
        .extracting(Instance::state)
        .containsExactly(InstanceState.PENDING, InstanceState.PENDING, InstanceState.PENDING);
    assertThat(ec2.describeOwned(cluster)).allMatch(i -> i.state() == InstanceState.PENDING);
    assertThat(ec2.describeHealth(all)).as("no status checks while pending").isEmpty();
    assertThat(proxy.runningAt(old)).isAfter(Instant.now());

    proxy.reportPending(Duration.ZERO);
    assertThat(ec2.describeByIds(all)).allMatch(i -> i.state() == InstanceState.RUNNING);
    assertThat(ec2.describeHealth(all)).containsOnlyKeys(all);
  }

  @Test
  void aRepeatedTokenGetsTheFirstAnswerAndMotoLaunchesOnce() {
    LaunchRequest request = launch(2);

    List<String> first = ids(ec2.runInstances(request));
    List<String> second = ids(ec2.runInstances(request));

    assertThat(second).hasSize(2).isEqualTo(first);
    assertThat(inMoto()).containsExactlyInAnyOrderElementsOf(first);
    assertThat(proxy.calls())
        .extracting(
            Ec2Call::action,
            Ec2Call::clientToken,
            Ec2Call::status,
            Ec2Call::outcome,
            Ec2Call::upstream)
        .containsExactly(
            tuple("RunInstances", request.clientToken(), 200, Outcome.FORWARDED, true),
            tuple("RunInstances", request.clientToken(), 200, Outcome.REPLAYED, false));
  }

  @Test
  void concurrentCallsWithOneTokenLaunchOnce() throws Exception {
    proxy.delay("RunInstances", Duration.ofSeconds(1)); // both calls are in the proxy at once
    LaunchRequest request = launch(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<Instance>> a = pool.submit(() -> ec2.runInstances(request));
      Future<List<Instance>> b = pool.submit(() -> ec2.runInstances(request));

      assertThat(ids(a.get(30, TimeUnit.SECONDS))).isEqualTo(ids(b.get(30, TimeUnit.SECONDS)));
    } finally {
      pool.shutdownNow();
    }
    assertThat(inMoto()).hasSize(2);
    List<Ec2Call> calls = proxy.calls();
    assertThat(calls)
        .extracting(Ec2Call::outcome)
        .containsExactlyInAnyOrder(Outcome.FORWARDED, Outcome.REPLAYED);
    assertThat(calls.get(0).start()).as("the calls overlapped").isBefore(calls.get(1).end());
    assertThat(calls.get(1).start()).isBefore(calls.get(0).end());
  }

  @Test
  void aUsedTokenWithOtherParametersIsAMismatch() {
    LaunchRequest one = launch(1);
    ec2.runInstances(one);
    LaunchRequest two = withCount(one, 2);

    assertThatThrownBy(() -> ec2.runInstances(two))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.code()).isEqualTo("IdempotentParameterMismatch");
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL);
            });
    assertThat(inMoto()).hasSize(1);
    assertThat(proxy.calls())
        .extracting(Ec2Call::outcome)
        .containsExactly(Outcome.FORWARDED, Outcome.TOKEN_MISMATCH);
  }

  @Test
  void aDroppedAnswerIsAnIoErrorAfterTheLaunchAndTheRetryGetsThoseInstances() {
    proxy.dropAnswer("RunInstances", 1);
    LaunchRequest request = launch(2);

    assertThatThrownBy(() -> ec2.runInstances(request))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
              assertThat(e.code()).isEqualTo(ErrorClassifier.IO_ERROR);
              assertThat(e.getCause()).isInstanceOf(SdkClientException.class);
            });
    List<String> launched = inMoto();
    assertThat(launched).as("moto launched before the answer was lost").hasSize(2);

    assertThat(ids(ec2.runInstances(request))).containsExactlyInAnyOrderElementsOf(launched);
    assertThat(inMoto()).containsExactlyInAnyOrderElementsOf(launched);
    // two calls, not three: HttpURLConnection did not resend the POST behind the SDK's back
    assertThat(proxy.calls())
        .extracting(Ec2Call::status, Ec2Call::outcome, Ec2Call::upstream)
        .containsExactly(tuple(0, Outcome.DROPPED, true), tuple(200, Outcome.REPLAYED, false));
  }

  @Test
  void aDroppedDescribeIsAnSdkClientExceptionNotAnAnswer() {
    proxy.dropAnswer("DescribeInstances", 1);

    Throwable thrown = catchThrowable(() -> client.describeInstances());

    assertThat(thrown)
        .isInstanceOf(SdkClientException.class)
        .isNotInstanceOf(AwsServiceException.class);
    assertThat(client.describeInstances().sdkHttpResponse().statusCode()).isEqualTo(200);
    assertThat(proxy.calls())
        .extracting(Ec2Call::outcome)
        .containsExactly(Outcome.DROPPED, Outcome.FORWARDED);
  }

  @Test
  void anInternalErrorAfterMotoActedIsRepairedByTheRetry() {
    proxy.internalError("RunInstances", 1, true);
    LaunchRequest request = launch(2);

    assertThatThrownBy(() -> ec2.runInstances(request))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.code()).isEqualTo("InternalError");
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            });
    List<String> launched = inMoto();
    assertThat(launched).hasSize(2);

    assertThat(ids(ec2.runInstances(request))).containsExactlyInAnyOrderElementsOf(launched);
    assertThat(inMoto()).containsExactlyInAnyOrderElementsOf(launched);
    assertThat(proxy.calls())
        .extracting(Ec2Call::status, Ec2Call::outcome, Ec2Call::upstream)
        .containsExactly(
            tuple(500, Outcome.INTERNAL_ERROR, true), tuple(200, Outcome.REPLAYED, false));
  }

  @ParameterizedTest(name = "{0}: HTTP {1} {2} is {3}")
  @CsvSource({
    "throttle,      503, RequestLimitExceeded,         THROTTLED",
    "internalError, 500, InternalError,                TRANSIENT",
    "capacity,      500, InsufficientInstanceCapacity, INSUFFICIENT_CAPACITY",
  })
  void refusalsParseToEc2sCodeAndClassAndLaunchNothing(
      String fault, int status, String code, ErrorClass errorClass) {
    switch (fault) {
      case "throttle" -> proxy.throttle("RunInstances", 1);
      case "internalError" -> proxy.internalError("RunInstances", 1, false);
      default ->
          proxy.fail("RunInstances", 1, 500, code, "We currently do not have sufficient capacity.");
    }

    Throwable thrown =
        catchThrowable(
            () ->
                client.runInstances(
                    r ->
                        r.imageId(AMI)
                            .instanceType("t3.micro")
                            .minCount(1)
                            .maxCount(1)
                            .subnetId(network.subnetIds().get(0))
                            .clientToken(UUID.randomUUID().toString())
                            .tagSpecifications(
                                TagSpecification.builder()
                                    .resourceType(ResourceType.INSTANCE)
                                    .tags(
                                        Tag.builder()
                                            .key(OwnershipTags.CLUSTER)
                                            .value(cluster)
                                            .build())
                                    .build())));

    assertThat(thrown)
        .isInstanceOfSatisfying(
            AwsServiceException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(status);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
              assertThat(e.awsErrorDetails().errorMessage()).isNotBlank();
              assertThat(e.requestId()).isNotBlank();
              assertThat(e.isThrottlingException()).isEqualTo(errorClass == ErrorClass.THROTTLED);
            });
    assertThat(ErrorClassifier.classify("RunInstances", thrown).errorClass()).isEqualTo(errorClass);
    assertThat(inMoto()).isEmpty();
    assertThat(proxy.calls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.status()).isEqualTo(status);
              assertThat(c.upstream()).isFalse();
            });
    assertThat(ec2.runInstances(launch(1))).as("one shot: the next call goes through").hasSize(1);
  }

  @Test
  void meteredLikeAnAccountRunInstancesNeedsItsMaxCountOfInstanceTokens() {
    proxy.meterLikeAnAccount(10, 0.01); // 10 instances, one more every 100 s

    assertThat(ec2.runInstances(launch(8))).hasSize(8);
    assertThat(classOf(() -> ec2.runInstances(launch(3))))
        .as("2 instances left: a request token is not enough")
        .isEqualTo(ErrorClass.THROTTLED);
    assertThat(ec2.runInstances(launch(2))).as("the refused call cost nothing").hasSize(2);

    assertThat(proxy.calls())
        .extracting(Ec2Call::action, Ec2Call::outcome)
        .containsExactly(
            tuple("RunInstances", Outcome.FORWARDED),
            tuple("RunInstances", Outcome.THROTTLED),
            tuple("RunInstances", Outcome.FORWARDED));
  }

  @Test
  void faultsQueuePerActionInOrderAndClearFaultsForgetsThem() {
    proxy.throttle("RunInstances", 1);
    proxy.internalError("RunInstances", 1, false);
    proxy.throttle("TerminateInstances", 5);
    LaunchRequest request = launch(1);

    ec2.describeOwned(cluster);
    assertThat(classOf(() -> ec2.runInstances(request))).isEqualTo(ErrorClass.THROTTLED);
    assertThat(classOf(() -> ec2.runInstances(request))).isEqualTo(ErrorClass.TRANSIENT);
    List<String> launched = ids(ec2.runInstances(request));
    proxy.clearFaults();
    ec2.terminate(launched);

    assertThat(proxy.calls())
        .extracting(Ec2Call::action, Ec2Call::outcome)
        .containsExactly(
            tuple("DescribeInstances", Outcome.FORWARDED),
            tuple("RunInstances", Outcome.THROTTLED),
            tuple("RunInstances", Outcome.INTERNAL_ERROR),
            tuple("RunInstances", Outcome.FORWARDED),
            tuple("TerminateInstances", Outcome.FORWARDED));
    assertThat(proxy.count("RunInstances")).isEqualTo(3);
    proxy.clearCalls();
    assertThat(proxy.calls()).isEmpty();
    assertThat(proxy.count("RunInstances")).isZero();
  }

  @Test
  void newInstancesAreHiddenFromDescribesUntilTheirTimeHasPassed() {
    String old = launchDirect();
    proxy.hideNewInstances(Duration.ofSeconds(3));
    List<String> fresh = ids(ec2.runInstances(launch(2)));

    assertThat(inMoto()).as("moto has them").contains(fresh.toArray(String[]::new));
    assertThat(ids(ec2.describeOwned(cluster))).containsExactly(old);
    assertThat(
            client
                .describeInstances(
                    r ->
                        r.filters(
                            Filter.builder()
                                .name("tag:" + OwnershipTags.CLUSTER)
                                .values(cluster)
                                .build()))
                .reservations())
        .as("the fresh reservation is gone, not left empty")
        .singleElement()
        .satisfies(r -> assertThat(r.instances()).hasSize(1));
    List<String> all = List.of(old, fresh.get(0), fresh.get(1));
    assertThat(ec2.describeHealth(all))
        .as("hidden ids are unknown to EC2 for now")
        .containsKey(old)
        .doesNotContainKeys(fresh.toArray(String[]::new));
    assertThat(catchThrowable(() -> client.describeInstances(r -> r.instanceIds(fresh.get(0)))))
        .isInstanceOfSatisfying(
            AwsServiceException.class,
            e -> {
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidInstanceID.NotFound");
              assertThat(ErrorClassifier.classify("DescribeInstances", e).errorClass())
                  .isEqualTo(ErrorClass.TRANSIENT);
            });

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(ids(ec2.describeOwned(cluster)))
                    .containsExactlyInAnyOrder(old, fresh.get(0), fresh.get(1)));
    assertThat(ec2.describeHealth(all)).containsKeys(fresh.toArray(String[]::new));
    assertThat(client.describeInstances(r -> r.instanceIds(fresh)).reservations()).hasSize(1);
  }

  @Test
  void hidingKeepsPagesAndTheirNextTokens() {
    List<String> visible = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      visible.add(launchDirect());
      ec2.runInstances(launch(1));
    }
    proxy.hideNewInstances(Duration.ofMinutes(10));

    List<String> seen = new ArrayList<>();
    int pages = 0;
    String token = null;
    do {
      String current = token;
      var page =
          client.describeInstances(
              r ->
                  r.maxResults(5)
                      .nextToken(current)
                      .filters(
                          Filter.builder()
                              .name("tag:" + OwnershipTags.CLUSTER)
                              .values(cluster)
                              .build()));
      page.reservations().forEach(r -> r.instances().forEach(i -> seen.add(i.instanceId())));
      pages++;
      token = page.nextToken();
    } while (token != null && !token.isEmpty());

    assertThat(pages).as("six reservations, five per page").isEqualTo(2);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(visible);
  }

  @Test
  void aDelayShowsInTheCallTimestampsUntilCleared() {
    Duration delay = Duration.ofSeconds(2);
    proxy.delay("DescribeInstances", delay);
    ec2.describeOwned(cluster);
    proxy.delay("DescribeInstances", Duration.ZERO);
    ec2.describeOwned(cluster);

    List<Ec2Call> calls = proxy.calls();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).duration()).isGreaterThanOrEqualTo(delay);
    assertThat(calls.get(1).duration()).isLessThan(delay);
  }

  @Test
  void anUnreachableProxyRefusesConnectionsAndComesBackOnTheSamePort() {
    ec2.describeOwned(cluster); // the SDK now holds a kept-alive connection
    int port = proxy.endpoint().getPort();

    proxy.unreachable(true);

    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
    assertThat(catchThrowable(() -> client.describeInstances()))
        .isInstanceOf(SdkClientException.class)
        .hasRootCauseInstanceOf(ConnectException.class);
    assertThatThrownBy(() -> ec2.describeOwned(cluster))
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorClassifier.NOT_CONNECTED);
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            });
    assertThat(proxy.count("DescribeInstances")).as("nothing arrived").isEqualTo(1);

    proxy.unreachable(false);

    assertThat(proxy.endpoint().getPort()).isEqualTo(port);
    assertThat(ec2.describeOwned(cluster)).isEmpty();
    assertThat(proxy.count("DescribeInstances")).isEqualTo(2);
  }

  @Test
  void requestHeadersReachMotoAndItsContentTypeComesBack() throws Exception {
    String id = ids(ec2.runInstances(launch(1))).get(0);
    String form = "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=" + id;
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(proxy.endpoint().resolve("/"))
            .header("Authorization", AUTH)
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(form));

    HttpResponse<String> mine =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
    HttpResponse<String> otherAccount =
        http.send(
            request.header("x-moto-account-id", "210987654321").build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));

    assertThat(mine.statusCode()).isEqualTo(200);
    assertThat(mine.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/xml"));
    assertThat(mine.body()).contains("<instanceId>" + id + "</instanceId>");
    assertThat(otherAccount.statusCode()).as("moto read x-moto-account-id").isEqualTo(400);
    assertThat(otherAccount.body()).contains("InvalidInstanceID.NotFound");
  }

  // ---- helpers ----

  private LaunchRequest launch(int count) {
    String token = UUID.randomUUID().toString();
    return new LaunchRequest(
        token,
        network.subnetIds().get(0),
        count,
        AMI,
        "t3.micro",
        List.of(network.securityGroupId()),
        null,
        null,
        null,
        false,
        true,
        2,
        Map.of(OwnershipTags.CLUSTER, cluster, OwnershipTags.LAUNCH, token));
  }

  private static LaunchRequest withCount(LaunchRequest r, int count) {
    return new LaunchRequest(
        r.clientToken(),
        r.subnetId(),
        count,
        r.imageId(),
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

  /** One instance of this cluster launched on moto directly, so never hidden by the proxy. */
  private String launchDirect() {
    return new AwsEc2(moto.ec2Client()).runInstances(launch(1)).get(0).id();
  }

  /** This cluster's instances as moto holds them, asked directly. */
  private List<String> inMoto() {
    return ids(new AwsEc2(moto.ec2Client()).describeOwned(cluster));
  }

  private static ErrorClass classOf(Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(CloudException.class);
    return ((CloudException) thrown).errorClass();
  }

  private static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).toList();
  }
}
