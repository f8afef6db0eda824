package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * An in-memory EC2 behind {@link Ec2Port}, written from the AWS documentation for what moto lacks:
 *
 * <ul>
 *   <li>Idempotent ClientToken: the same token and parameters return the first call's instances
 *       without launching; the same token with other parameters fails with
 *       IdempotentParameterMismatch. Failed launches do not consume the token.
 *   <li>Eventual consistency: a launched instance is invisible to {@link #describeOwned} for {@link
 *       #setVisibilityDelay} (RunInstances itself returns it at once).
 *   <li>Lifecycle on the injected clock: pending → running after {@link #setPendingDuration};
 *       terminate → shutting-down → terminated after {@link #setShutdownDuration} (zero, the
 *       default, means the next observation already sees terminated); terminated instances stay in
 *       describe results for {@link #setTerminatedRetention} (AWS: about an hour).
 *   <li>Failures: throttling ({@link #throttleNext}), insufficient capacity per subnet, unknown AMI
 *       or subnet, and any {@link #injectNext injected} error. Errors are built by {@link
 *       ErrorClassifier#fromCode}, so they carry the class production would give.
 *   <li>Unknown instance ids: each TerminateInstances or DeleteTags call with an unknown id is
 *       refused whole with InvalidInstanceID.NotFound, naming the ids as EC2 does; the port methods
 *       go through the same {@link InstanceBatches} as {@link AwsEc2}, so they answer as it does
 *       (the refused call counted, then a call without those ids).
 * </ul>
 *
 * <p>{@link #calls} counts EC2 API calls the real port would make (one per 1000 described instances
 * or per batch of ids sent), failed and refused ones included; an injected error or a throttle
 * fails the next EC2 call, not the next port call. Thread-safe: every public method is
 * synchronized. State changes are computed lazily from the clock at each call.
 */
public final class FakeEc2 implements Ec2Port, Offerings {
  public static final String DESCRIBE = "DescribeInstances";
  public static final String RUN = "RunInstances";
  public static final String TERMINATE = "TerminateInstances";
  public static final String DELETE_TAGS = "DeleteTags";
  public static final String DESCRIBE_STATUS = "DescribeInstanceStatus";
  public static final String DESCRIBE_IMAGES = "DescribeImages";
  public static final String DESCRIBE_SUBNETS = "DescribeSubnets";
  public static final String DESCRIBE_OFFERINGS = "DescribeInstanceTypeOfferings";

  /** The AMIs scripts/moto/amis.json gives moto, so fast tests and moto tests share fixtures. */
  public static final List<String> DEFAULT_AMIS =
      List.of("ami-0abcdef1234567890", "ami-0fedcba9876543210", "ami-01234567");

  public static final Map<String, String> DEFAULT_SUBNETS =
      Map.of("subnet-a", "us-east-1a", "subnet-b", "us-east-1b", "subnet-c", "us-east-1c");

  private final Clock clock;
  private final Random random = new Random(20250101); // fixed seed: ids reproduce between runs
  private final Map<String, String> zoneBySubnet = new HashMap<>();
  private final Set<String> knownAmis = new HashSet<>(DEFAULT_AMIS);
  private Duration visibilityDelay = Duration.ZERO;
  private Duration pendingDuration = Duration.ZERO;
  private Duration shutdownDuration = Duration.ZERO;
  private Duration terminatedRetention = Duration.ofHours(1);

  private final Map<String, FakeInstance> instances = new LinkedHashMap<>();
  private final Map<String, Health> health = new HashMap<>();
  private final Map<String, Launch> launchesByToken = new HashMap<>();
  private final Set<String> insufficientCapacity = new HashSet<>();
  private final FakeCapacity capacity = new FakeCapacity();
  private final FakeEc2Calls log = new FakeEc2Calls();

  /** The account's launch templates, which RunInstances launches from. */
  public final FakeLaunchTemplates launchTemplates = new FakeLaunchTemplates();

  private int addresses;

  private record Launch(LaunchRequest request, List<String> instanceIds) {}

  /** With {@link #DEFAULT_SUBNETS} and {@link #DEFAULT_AMIS}. */
  public FakeEc2(Clock clock) {
    this(clock, DEFAULT_SUBNETS);
  }

  /**
   * @param zoneBySubnet the subnets that exist, each with its availability zone
   */
  public FakeEc2(Clock clock, Map<String, String> zoneBySubnet) {
    this.clock = clock;
    this.zoneBySubnet.putAll(zoneBySubnet);
  }

  // ---- Ec2Port ----

  @Override
  public synchronized List<Instance> describeOwned(String clusterName) {
    Instant now = tick();
    List<Instance> owned =
        instances.values().stream()
            .filter(i -> !now.isBefore(i.visibleAt))
            .map(FakeInstance::view)
            .filter(i -> clusterName.equals(i.tag(OwnershipTags.CLUSTER)))
            .toList();
    log.enter(DESCRIBE, Math.max(1, pages(owned.size())));
    return owned;
  }

  @Override
  public synchronized List<Instance> describeLaunch(String clusterName, String clientToken) {
    Instant now = tick();
    List<Instance> found =
        instances.values().stream()
            .filter(i -> !now.isBefore(i.visibleAt))
            .map(FakeInstance::view)
            .filter(
                i ->
                    clusterName.equals(i.tag(OwnershipTags.CLUSTER))
                        && clientToken.equals(i.tag(OwnershipTags.LAUNCH)))
            .toList();
    log.enter(DESCRIBE, 1);
    return found;
  }

  /**
   * The given instances as describe shows them, in any state. One call per 1000 ids; a call naming
   * an id EC2 does not show (unknown, purged, or launched and not visible yet) is refused whole
   * with InvalidInstanceID.NotFound, as on EC2, and the port leaves those ids out.
   */
  @Override
  public synchronized List<Instance> describeByIds(Collection<String> instanceIds) {
    Instant now = tick();
    Map<String, Instance> found = new LinkedHashMap<>();
    InstanceBatches.run(
        instanceIds,
        AwsEc2.MAX_BATCH,
        batch -> {
          log.enter(DESCRIBE, 1);
          refuseUnknown(DESCRIBE, batch.stream().filter(id -> !visible(id, now)).toList());
          batch.forEach(id -> found.put(id, instances.get(id).view()));
        });
    return List.copyOf(found.values());
  }

  private boolean visible(String id, Instant now) {
    FakeInstance instance = instances.get(id);
    return instance != null && !now.isBefore(instance.visibleAt);
  }

  /**
   * The given instances that are running and visible: {@link Health#OK} unless {@link #setHealth}
   * said otherwise. One call per 100 ids; a call naming an unknown id is refused whole, as on EC2.
   */
  @Override
  public synchronized Map<String, Health> describeHealth(Collection<String> instanceIds) {
    Instant now = tick();
    Map<String, Health> result = new LinkedHashMap<>();
    InstanceBatches.run(
        instanceIds,
        AwsEc2.MAX_STATUS_IDS,
        batch -> {
          log.enter(DESCRIBE_STATUS, 1);
          requireKnown(DESCRIBE_STATUS, batch);
          batch.stream()
              .map(instances::get)
              .filter(i -> !now.isBefore(i.visibleAt) && i.state() == InstanceState.RUNNING)
              .forEach(i -> result.put(i.id(), health.getOrDefault(i.id(), Health.OK)));
        });
    return result;
  }

  /** What status checks report for the instance from now on. */
  public synchronized void setHealth(String instanceId, Health verdict) {
    health.put(instanceId, verdict);
  }

  @Override
  public synchronized List<Instance> runInstances(LaunchRequest request) {
    Instant now = tick();
    log.recordRun(request);
    log.enter(RUN, 1);
    Launch earlier = launchesByToken.get(request.clientToken());
    if (earlier != null) {
      if (!earlier.request().equals(request)) {
        throw error(
            RUN,
            "IdempotentParameterMismatch",
            "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
            400);
      }
      // Instances forgotten after termination drop out of the answer.
      return earlier.instanceIds().stream()
          .map(instances::get)
          .filter(Objects::nonNull)
          .map(FakeInstance::view)
          .toList();
    }
    LaunchRequest applied = launchTemplates.applied(request); // what a launch template gives
    validate(applied);
    List<Instance> launched = new ArrayList<>();
    for (int n = 0; n < request.count(); n++) {
      FakeInstance created = new FakeInstance(newInstance(applied, now), now.plus(visibilityDelay));
      created.transition(InstanceState.RUNNING, now.plus(pendingDuration));
      instances.put(created.id(), created);
      launched.add(created.view());
    }
    launchesByToken.put(
        request.clientToken(), new Launch(request, launched.stream().map(Instance::id).toList()));
    return launched;
  }

  /** Through the port's own batching over {@link #terminateInstances}, the EC2 call. */
  @Override
  public synchronized BatchResult terminate(Collection<String> instanceIds) {
    Instant now = tick();
    return InstanceBatches.run(
        instanceIds, AwsEc2.MAX_BATCH, batch -> terminateInstances(batch, now));
  }

  /** Through the port's own batching over {@link #deleteTags}, the EC2 call. */
  @Override
  public synchronized BatchResult untag(
      Collection<String> instanceIds, Collection<String> tagKeys) {
    tick();
    if (tagKeys.isEmpty()) {
      return BatchResult.NONE;
    }
    return InstanceBatches.run(instanceIds, AwsEc2.MAX_BATCH, batch -> deleteTags(batch, tagKeys));
  }

  /** One TerminateInstances call, as EC2 answers it: any unknown id refuses the whole call. */
  private void terminateInstances(List<String> ids, Instant now) {
    log.enter(TERMINATE, 1);
    requireKnown(TERMINATE, ids);
    ids.forEach(id -> shutDown(instances.get(id), now));
  }

  /** One DeleteTags call, as AWS answers it: any unknown id refuses the whole call. */
  private void deleteTags(List<String> ids, Collection<String> tagKeys) {
    log.enter(DELETE_TAGS, 1);
    requireKnown(DELETE_TAGS, ids);
    ids.forEach(id -> instances.get(id).removeTags(tagKeys));
  }

  @Override
  public synchronized Set<String> existingImages(Collection<String> amiIds) {
    if (amiIds.isEmpty()) {
      return Set.of();
    }
    tick();
    log.enter(DESCRIBE_IMAGES, 1);
    Set<String> found = new HashSet<>(amiIds);
    found.retainAll(knownAmis);
    return found;
  }

  // ---- configuration ----

  public synchronized FakeEc2 addSubnet(String subnetId, String zone) {
    zoneBySubnet.put(subnetId, zone);
    return this;
  }

  public synchronized FakeEc2 addAmi(String amiId) {
    knownAmis.add(amiId);
    return this;
  }

  /** As DeregisterImage: the AMI can no longer be launched nor found. */
  public synchronized FakeEc2 deregisterAmi(String amiId) {
    knownAmis.remove(amiId);
    return this;
  }

  public synchronized FakeEc2 setVisibilityDelay(Duration delay) {
    visibilityDelay = delay;
    return this;
  }

  public synchronized FakeEc2 setPendingDuration(Duration duration) {
    pendingDuration = duration;
    return this;
  }

  public synchronized FakeEc2 setShutdownDuration(Duration duration) {
    shutdownDuration = duration;
    return this;
  }

  public synchronized FakeEc2 setTerminatedRetention(Duration retention) {
    terminatedRetention = retention;
    return this;
  }

  /** While true, every launch into this subnet fails with InsufficientInstanceCapacity. */
  public synchronized FakeEc2 setInsufficientCapacity(String subnetId, boolean insufficient) {
    if (insufficient) {
      insufficientCapacity.add(subnetId);
    } else {
      insufficientCapacity.remove(subnetId);
    }
    return this;
  }

  /**
   * While {@code code} is not null, every launch of this type in this zone fails with it
   * (InsufficientInstanceCapacity, ...), as a zone out of one offering's capacity answers.
   */
  public synchronized FakeEc2 setOfferingShortage(String instanceType, String zone, String code) {
    capacity.shortage(instanceType, zone, code);
    return this;
  }

  /**
   * While {@code code} is not null, every spot launch of this type in this zone fails with it
   * (InsufficientInstanceCapacity), on-demand ones still succeed: a zone out of spot capacity.
   */
  public synchronized FakeEc2 setSpotShortage(String instanceType, String zone, String code) {
    capacity.spotShortage(instanceType, zone, code);
    return this;
  }

  /**
   * The zone does not offer the type: DescribeInstanceTypeOfferings leaves it out, and a launch of
   * it there fails with Unsupported.
   */
  public synchronized FakeEc2 setNotOffered(String instanceType, String zone) {
    capacity.notOffered(instanceType, zone);
    return this;
  }

  // ---- Offerings ----

  @Override
  public synchronized Map<String, String> zonesOf(Collection<String> subnetIds) {
    if (subnetIds.isEmpty()) {
      return Map.of();
    }
    log.enter(DESCRIBE_SUBNETS, 1);
    Map<String, String> out = new HashMap<>();
    subnetIds.stream()
        .filter(zoneBySubnet::containsKey)
        .forEach(s -> out.put(s, zoneBySubnet.get(s)));
    return out;
  }

  @Override
  public synchronized Map<String, Set<String>> offeredTypes(
      Collection<String> instanceTypes, Collection<String> zones) {
    if (instanceTypes.isEmpty() || zones.isEmpty()) {
      return Map.of();
    }
    log.enter(DESCRIBE_OFFERINGS, 1);
    return capacity.offered(instanceTypes, zones);
  }

  // ---- failure injection ----

  /** The next {@code count} calls of {@code operation} fail with RequestLimitExceeded. */
  public synchronized FakeEc2 throttleNext(String operation, int count) {
    log.throttleNext(operation, count);
    return this;
  }

  /** The next call of {@code operation} fails with {@code error}; several queue up in order. */
  public synchronized FakeEc2 injectNext(String operation, CloudException error) {
    log.injectNext(operation, error);
    return this;
  }

  // ---- recording ----

  /** EC2 API calls made for {@code operation}, failed ones included. */
  public synchronized int calls(String operation) {
    return log.calls(operation);
  }

  /** Every RunInstances request received, in order, failed ones included. */
  public synchronized List<LaunchRequest> runRequests() {
    return log.runRequests();
  }

  public synchronized void clearCalls() {
    log.clearCalls();
  }

  /**
   * Forgets instances, tokens, recordings, injected errors, throttles and capacity shortages; keeps
   * subnets, AMIs and durations.
   */
  public synchronized void reset() {
    log.clearCalls();
    log.clearFailures();
    instances.clear();
    launchesByToken.clear();
    insufficientCapacity.clear();
    capacity.clear();
  }

  // ---- what happens outside the operator ----

  /** Every instance in its current state, visible to describe yet or not. */
  public synchronized List<Instance> instances() {
    tick();
    return instances.values().stream().map(FakeInstance::view).toList();
  }

  public synchronized Optional<Instance> instance(String id) {
    tick();
    return Optional.ofNullable(instances.get(id)).map(FakeInstance::view);
  }

  /** A person or a spot interruption terminates the instance; no call is recorded. */
  public synchronized void terminateOutOfBand(String id) {
    Instant now = tick();
    requireKnown("terminateOutOfBand", List.of(id));
    shutDown(instances.get(id), now);
  }

  /** Someone stops the instance (stopped at once). */
  public synchronized void stop(String id) {
    tick();
    requireKnown("stop", List.of(id));
    instances.get(id).stop();
  }

  /** An instance launched by someone else, running and visible at once, with exactly these tags. */
  public synchronized Instance addForeignInstance(String subnetId, Map<String, String> tags) {
    Instant now = tick();
    Instance base =
        new Instance(
            newInstanceId(),
            InstanceState.RUNNING,
            DEFAULT_AMIS.get(0),
            "t3.micro",
            subnetId,
            zoneBySubnet.get(subnetId),
            nextPrivateIp(),
            now,
            tags);
    instances.put(base.id(), new FakeInstance(base, now));
    return base;
  }

  // ---- internals ----

  /** Applies due state changes and forgets long-terminated instances; returns now. */
  private Instant tick() {
    Instant now = clock.instant();
    instances.values().forEach(i -> i.advance(now));
    instances
        .values()
        .removeIf(
            i ->
                i.terminatedAt() != null
                    && !now.isBefore(i.terminatedAt().plus(terminatedRetention)));
    return now;
  }

  private void validate(LaunchRequest r) {
    if (r.imageId() == null || !knownAmis.contains(r.imageId())) {
      throw error(
          RUN, "InvalidAMIID.NotFound", "The image id '[" + r.imageId() + "]' does not exist", 400);
    }
    String zone = zoneBySubnet.get(r.subnetId());
    if (zone == null) {
      throw error(
          RUN,
          "InvalidSubnetID.NotFound",
          "The subnet ID '" + r.subnetId() + "' does not exist",
          400);
    }
    if (insufficientCapacity.contains(r.subnetId())) {
      throw error(
          RUN,
          "InsufficientInstanceCapacity",
          "We currently do not have sufficient "
              + r.instanceType()
              + " capacity in the Availability Zone you requested ("
              + zone
              + ").",
          500);
    }
    Optional<CloudException> refused = capacity.refusal(r.instanceType(), zone, r.spot());
    if (refused.isPresent()) {
      throw refused.get();
    }
  }

  /** EC2's refusal of a call naming unknown instances, worded as AWS (and moto) word it. */
  private void requireKnown(String operation, List<String> ids) {
    refuseUnknown(operation, ids.stream().filter(id -> !instances.containsKey(id)).toList());
  }

  private static void refuseUnknown(String operation, List<String> unknown) {
    if (unknown.size() == 1) {
      throw error(
          operation,
          "InvalidInstanceID.NotFound",
          "The instance ID '" + unknown.get(0) + "' does not exist",
          400);
    }
    if (!unknown.isEmpty()) {
      throw error(
          operation,
          "InvalidInstanceID.NotFound",
          "The instance IDs '" + String.join(", ", unknown) + "' do not exist",
          400);
    }
  }

  private void shutDown(FakeInstance instance, Instant now) {
    if (!instance.state().isGone() && instance.pendingState() != InstanceState.TERMINATED) {
      instance.shutDown(now.plus(shutdownDuration));
    }
  }

  private Instance newInstance(LaunchRequest r, Instant now) {
    return new Instance(
        newInstanceId(),
        InstanceState.PENDING,
        r.imageId(),
        r.instanceType(),
        r.subnetId(),
        zoneBySubnet.get(r.subnetId()),
        nextPrivateIp(),
        now,
        r.tags(),
        null,
        r.spot());
  }

  private String newInstanceId() {
    String id;
    do {
      StringBuilder hex = new StringBuilder("i-");
      for (int n = 0; n < 17; n++) {
        hex.append(Character.forDigit(random.nextInt(16), 16));
      }
      id = hex.toString();
    } while (instances.containsKey(id));
    return id;
  }

  private String nextPrivateIp() {
    int n = addresses++;
    return "10.0." + (n / 250) % 256 + "." + (n % 250 + 4);
  }

  private static int pages(int items) {
    return (items + AwsEc2.MAX_BATCH - 1) / AwsEc2.MAX_BATCH;
  }

  private static CloudException error(String operation, String code, String message, int status) {
    return ErrorClassifier.fromCode(operation, code, message, status);
  }
}
