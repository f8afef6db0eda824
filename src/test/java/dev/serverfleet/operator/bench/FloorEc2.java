package dev.serverfleet.operator.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The floor's EC2 client: the AWS SDK v2 with its own retries off, every call sent at the instant
 * {@link FloorPacer} allows, a RequestLimitExceeded answer waited out and retried (and counted),
 * and every HTTP request counted by operation as it leaves (an interceptor sees each one).
 */
final class FloorEc2 implements AutoCloseable {
  static final String FLEET_TAG = "bench-floor/fleet";

  /**
   * Short for a network call, long enough for moto to page 1,000 instances of a 10,000-instance
   * account on a busy machine. A timed-out RunInstances fails the run: it may have launched.
   */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private static final long THROTTLE_BACKOFF_NANOS = 100_000_000L;

  /** An instance of a floor fleet as DescribeInstances showed it. */
  record Seen(String id, String fleet, String subnet, String ami, String state) {}

  /** What a RunInstances asks for. */
  record Launch(String fleet, String subnet, int count, String ami) {}

  private final Ec2Client ec2;
  private final FloorPacer pacer = new FloorPacer(System.nanoTime());
  private final Map<String, AtomicInteger> calls = new ConcurrentSkipListMap<>();
  private final Map<String, AtomicInteger> throttled = new ConcurrentHashMap<>();
  private final String instanceType;
  private final String securityGroup;

  FloorEc2(URI endpoint, String region, String instanceType, String securityGroup) {
    this.instanceType = instanceType;
    this.securityGroup = securityGroup;
    this.ec2 =
        Ec2Client.builder()
            .endpointOverride(endpoint)
            .region(Region.of(region))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(CALL_TIMEOUT)
                        .addExecutionInterceptor(new CallCounter()))
            .build();
  }

  /** Launches one fleet's instances in one subnet, tagged at launch; returns their ids. */
  List<String> run(Launch launch) {
    TagSpecification tags =
        TagSpecification.builder()
            .resourceType(ResourceType.INSTANCE)
            .tags(Tag.builder().key(FLEET_TAG).value(launch.fleet()).build())
            .build();
    return paced(
            "RunInstances",
            launch.count(),
            () ->
                ec2.runInstances(
                    r ->
                        r.imageId(launch.ami())
                            .instanceType(InstanceType.fromValue(instanceType))
                            .minCount(launch.count())
                            .maxCount(launch.count())
                            .subnetId(launch.subnet())
                            .securityGroupIds(securityGroup)
                            .tagSpecifications(tags)))
        .instances()
        .stream()
        .map(Instance::instanceId)
        .toList();
  }

  /** Terminates up to 1,000 instances in one call; returns how many EC2 says are terminating. */
  int terminate(List<String> ids) {
    return paced("TerminateInstances", 0, () -> ec2.terminateInstances(r -> r.instanceIds(ids)))
        .terminatingInstances()
        .size();
  }

  /** Every pending or running instance of a floor fleet, in pages of 1,000 (one call each). */
  List<Seen> describe() {
    List<Seen> seen = new ArrayList<>();
    String token = null;
    do {
      String page = token;
      DescribeInstancesResponse answer =
          paced(
              "DescribeInstances",
              0,
              () ->
                  ec2.describeInstances(
                      r ->
                          r.filters(
                                  Filter.builder().name("tag-key").values(FLEET_TAG).build(),
                                  Filter.builder()
                                      .name("instance-state-name")
                                      .values("pending", "running")
                                      .build())
                              .maxResults(1000)
                              .nextToken(page)));
      answer.reservations().forEach(r -> r.instances().forEach(i -> seen.add(seen(i))));
      token = answer.nextToken();
    } while (token != null && !token.isEmpty());
    return seen;
  }

  /** HTTP requests sent, by operation. */
  Map<String, Integer> calls() {
    return snapshot(calls);
  }

  /** RequestLimitExceeded answers, by operation (each also counted in {@link #calls}). */
  Map<String, Integer> throttled() {
    return snapshot(throttled);
  }

  @Override
  public void close() {
    ec2.close();
  }

  private <T> T paced(String action, int launched, Supplier<T> call) {
    while (true) {
      sleepUntil(pacer.reserve(action, launched, System.nanoTime()));
      try {
        return call.get();
      } catch (AwsServiceException e) {
        if (!isThrottle(e)) {
          throw e;
        }
        throttled.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
        sleepUntil(System.nanoTime() + THROTTLE_BACKOFF_NANOS);
      }
    }
  }

  private static boolean isThrottle(AwsServiceException e) {
    return e.statusCode() == 503
        || (e.awsErrorDetails() != null
            && "RequestLimitExceeded".equals(e.awsErrorDetails().errorCode()));
  }

  private static void sleepUntil(long nanos) {
    for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  private static Seen seen(Instance i) {
    String fleet =
        i.tags().stream()
            .filter(t -> FLEET_TAG.equals(t.key()))
            .map(Tag::value)
            .findFirst()
            .orElse("");
    return new Seen(i.instanceId(), fleet, i.subnetId(), i.imageId(), i.state().nameAsString());
  }

  private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
    Map<String, Integer> copy = new java.util.TreeMap<>();
    counts.forEach((op, n) -> copy.put(op, n.get()));
    return copy;
  }

  /** Counts each HTTP request as it leaves, by the SDK's operation name. */
  private final class CallCounter implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
      calls.computeIfAbsent(op, o -> new AtomicInteger()).incrementAndGet();
    }
  }
}
