package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@link Ec2Port} on the AWS SDK v2.
 *
 * <p>The {@link Ec2Client} is built once at start-up (see {@link #client}) with the region from the
 * operator's configuration, and shared by every reconcile: never build a client inside a reconcile,
 * and never hard-code a region. SDK retries (on by default, {@code --sdk-retries}) serve describes,
 * terminations and tag removals. RunInstances is never retried by the SDK: the launch ledger must
 * see the outcome of every attempt of a client token, and an SDK retry that ends in a throttle
 * would hide that an earlier attempt, whose answer was lost, launched. The ledger retries it with
 * the same token instead.
 *
 * <p>Every SDK failure leaves this class as a {@link CloudException} named after the EC2 operation.
 */
public final class AwsEc2 implements Ec2Port {

  /** EC2's limit for DescribeInstances MaxResults and for ids per TerminateInstances/DeleteTags. */
  public static final int MAX_BATCH = 1000;

  /** EC2's limit of instance ids named in one DescribeInstanceStatus call. */
  public static final int MAX_STATUS_IDS = 100;

  private final Ec2Client ec2;
  private final Ec2Client launcher;
  private final int pageSize;

  /** One client for every call: it must not retry RunInstances itself (see the class comment). */
  public AwsEc2(Ec2Client ec2) {
    this(ec2, ec2, MAX_BATCH);
  }

  /**
   * With a smaller DescribeInstances page (5..1000), so tests can see pagination;
   * DescribeInstanceStatus batches are then no larger than the page either.
   */
  AwsEc2(Ec2Client ec2, int pageSize) {
    this(ec2, ec2, pageSize);
  }

  /**
   * @param launcher the client for RunInstances, built without SDK retries
   * @param pageSize DescribeInstances page size (5..1000); tests use a small one to see pagination
   */
  AwsEc2(Ec2Client ec2, Ec2Client launcher, int pageSize) {
    if (pageSize < 5 || pageSize > MAX_BATCH) {
      throw new IllegalArgumentException("pageSize must be within 5..1000, was " + pageSize);
    }
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
    this.launcher = Objects.requireNonNull(launcher, "launcher");
    this.pageSize = pageSize;
  }

  /** For {@code AwsInstanceTypes}: the same connection and credentials. */
  Ec2Client describeClient() {
    return ec2;
  }

  /**
   * The operator's adapter: SDK retries as configured, none for RunInstances. Its two clients share
   * one HTTP client and one credentials chain, so that the process holds one of each (under IRSA
   * each chain would keep its own STS client and refresh its own token).
   */
  public static AwsEc2 create(String region, Optional<URI> endpointOverride, boolean sdkRetries) {
    return create(region, endpointOverride, sdkRetries, Optional.empty());
  }

  /**
   * As {@link #create(String, Optional, boolean)}, with every HTTP attempt of both clients through
   * the given request limits, when present.
   */
  public static AwsEc2 create(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      Optional<Ec2RateLimits> limits) {
    SdkHttpClient http = UrlConnectionHttpClient.create();
    AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    return new AwsEc2(
        builder(region, endpointOverride, sdkRetries, credentials, limits).httpClient(http).build(),
        builder(region, endpointOverride, false, credentials, limits).httpClient(http).build(),
        MAX_BATCH);
  }

  /**
   * Builds the operator's EC2 client: URLConnection HTTP, the default credentials chain (IRSA,
   * environment, profile, instance role), the configured region.
   *
   * @param endpointOverride for an EC2 emulator or a VPC endpoint
   * @param sdkRetries false turns the SDK's own retries off
   */
  public static Ec2Client client(
      String region, Optional<URI> endpointOverride, boolean sdkRetries) {
    return client(
        region, endpointOverride, sdkRetries, DefaultCredentialsProvider.builder().build());
  }

  /** As {@link #client(String, Optional, boolean)} with given credentials (tests against moto). */
  public static Ec2Client client(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      AwsCredentialsProvider credentials) {
    return builder(region, endpointOverride, sdkRetries, credentials, Optional.empty())
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  /** Everything but the HTTP client: a shared one is left open by the SDK when a client closes. */
  private static Ec2ClientBuilder builder(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      AwsCredentialsProvider credentials,
      Optional<Ec2RateLimits> limits) {
    Ec2ClientBuilder builder =
        Ec2Client.builder().credentialsProvider(credentials).region(Region.of(region));
    endpointOverride.ifPresent(builder::endpointOverride);
    builder.overrideConfiguration(
        o -> {
          if (!sdkRetries) {
            o.retryStrategy(AwsRetryStrategy.doNotRetry());
          }
          limits.ifPresent(l -> o.addExecutionInterceptor(new RateLimitInterceptor(l)));
        });
    return builder;
  }

  @Override
  public List<Instance> describeOwned(String clusterName) {
    return describe(List.of(tagFilter(OwnershipTags.CLUSTER, clusterName)));
  }

  @Override
  public List<Instance> describeLaunch(String clusterName, String clientToken) {
    return describe(
        List.of(
            tagFilter(OwnershipTags.CLUSTER, clusterName),
            tagFilter(OwnershipTags.LAUNCH, clientToken)));
  }

  // Only tag and instance-state-name filters: moto answers HTTP 500 to filters it does not know.
  private static Filter tagFilter(String key, String value) {
    return Filter.builder().name("tag:" + key).values(value).build();
  }

  private List<Instance> describe(List<Filter> filters) {
    List<Instance> owned = new ArrayList<>();
    String nextToken = null;
    do {
      DescribeInstancesRequest request =
          DescribeInstancesRequest.builder()
              .filters(filters)
              .maxResults(pageSize)
              .nextToken(nextToken)
              .build();
      DescribeInstancesResponse page =
          call("DescribeInstances", () -> ec2.describeInstances(request));
      for (Reservation reservation : page.reservations()) {
        reservation.instances().forEach(i -> owned.add(Ec2Conversions.toInstance(i, Map.of())));
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return owned;
  }

  @Override
  public List<Instance> describeByIds(Collection<String> instanceIds) {
    Map<String, Instance> found = new LinkedHashMap<>();
    InstanceBatches.run(
        instanceIds,
        pageSize,
        batch -> {
          // MaxResults may not go with InstanceIds: EC2 answers a batch of named ids in one page.
          String nextToken = null;
          do {
            String token = nextToken;
            DescribeInstancesResponse page =
                call(
                    "DescribeInstances",
                    () -> ec2.describeInstances(r -> r.instanceIds(batch).nextToken(token)));
            for (Reservation reservation : page.reservations()) {
              reservation
                  .instances()
                  .forEach(i -> found.put(i.instanceId(), Ec2Conversions.toInstance(i, Map.of())));
            }
            nextToken = page.nextToken();
          } while (nextToken != null && !nextToken.isEmpty());
        });
    return List.copyOf(found.values());
  }

  @Override
  public Map<String, Health> describeHealth(Collection<String> instanceIds) {
    Map<String, Health> health = new LinkedHashMap<>();
    InstanceBatches.run(
        instanceIds,
        Math.min(pageSize, MAX_STATUS_IDS),
        batch -> {
          // MaxResults may not go with InstanceIds: EC2 answers a batch of named ids in one page.
          String nextToken = null;
          do {
            String token = nextToken;
            var page =
                call(
                    "DescribeInstanceStatus",
                    () -> ec2.describeInstanceStatus(r -> r.instanceIds(batch).nextToken(token)));
            page.instanceStatuses()
                .forEach(
                    s ->
                        health.put(
                            s.instanceId(),
                            Health.of(
                                s.instanceStatus() == null
                                    ? null
                                    : s.instanceStatus().statusAsString(),
                                s.systemStatus() == null
                                    ? null
                                    : s.systemStatus().statusAsString())));
            nextToken = page.nextToken();
          } while (nextToken != null && !nextToken.isEmpty());
        });
    return health;
  }

  @Override
  public Set<String> existingImages(Collection<String> amiIds) {
    if (amiIds.isEmpty()) {
      return Set.of();
    }
    Set<String> found = new HashSet<>();
    String nextToken = null;
    do {
      String token = nextToken;
      var page =
          call(
              "DescribeImages",
              () ->
                  ec2.describeImages(
                      r ->
                          r.filters(Filter.builder().name("image-id").values(amiIds).build())
                              .includeDeprecated(true)
                              .nextToken(token)));
      page.images().forEach(i -> found.add(i.imageId()));
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return found;
  }

  @Override
  public List<Instance> runInstances(LaunchRequest request) {
    RunInstancesRequest run = Ec2Conversions.toRunInstances(request);
    var response = call("RunInstances", () -> launcher.runInstances(run));
    return response.instances().stream()
        .map(i -> Ec2Conversions.toInstance(i, request.tags()))
        .toList();
  }

  @Override
  public BatchResult terminate(Collection<String> instanceIds) {
    return InstanceBatches.run(
        instanceIds,
        MAX_BATCH,
        chunk ->
            call("TerminateInstances", () -> ec2.terminateInstances(r -> r.instanceIds(chunk))));
  }

  @Override
  public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
    if (tagKeys.isEmpty()) {
      return BatchResult.NONE;
    }
    // A Tag with a key and no value deletes that key whatever its value.
    List<Tag> tags = tagKeys.stream().distinct().map(k -> Tag.builder().key(k).build()).toList();
    return InstanceBatches.run(
        instanceIds,
        MAX_BATCH,
        chunk -> call("DeleteTags", () -> ec2.deleteTags(r -> r.resources(chunk).tags(tags))));
  }

  private static <T> T call(String operation, Supplier<T> sdkCall) {
    try {
      return sdkCall.get();
    } catch (RuntimeException e) { // SdkException and anything else the SDK lets through
      throw ErrorClassifier.classify(operation, e);
    }
  }
}
