package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test data for the planner. {@link PlanInput} is built here and nowhere else in tests, so a new
 * input field means one change in this file.
 */
final class PlanFixtures {
  static final String CLUSTER = "test-cluster";
  static final String UID = "uid-1";
  static final String REV = "rev-current";
  static final String OLD_REV = "rev-old";
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final PlanInput.Timing TIMING = PlanInput.Timing.DEFAULT;
  static final Duration RETRY_AFTER = TIMING.retryAfter();
  static final Duration VISIBILITY_DEADLINE = TIMING.visibilityDeadline();

  /** The ways an instance can fail to be this fleet's. */
  enum Foreign {
    NO_TAGS,
    OTHER_CLUSTER,
    OTHER_FLEET
  }

  private PlanFixtures() {}

  static InputBuilder input() {
    return new InputBuilder();
  }

  /** {@code T0} minus the given number of minutes: launch times and intent ages read better so. */
  static Instant minutesAgo(long minutes) {
    return T0.minus(Duration.ofMinutes(minutes));
  }

  // ---- instances owned by the fleet under test, current revision ----

  static Instance running(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.RUNNING, subnet, launchTime);
  }

  static Instance pending(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.PENDING, subnet, launchTime);
  }

  static Instance stopping(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.STOPPING, subnet, launchTime);
  }

  static Instance stopped(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.STOPPED, subnet, launchTime);
  }

  static Instance shuttingDown(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.SHUTTING_DOWN, subnet, launchTime);
  }

  static Instance terminated(String id, String subnet, Instant launchTime) {
    return owned(id, InstanceState.TERMINATED, subnet, launchTime);
  }

  static Instance owned(String id, InstanceState state, String subnet, Instant launchTime) {
    return new Instance(
        id,
        state,
        "ami-1",
        "t3.micro",
        subnet,
        subnet + "-zone",
        null,
        launchTime,
        ownershipTags(CLUSTER, UID, REV));
  }

  static Map<String, String> ownershipTags(String cluster, String uid, String revision) {
    Map<String, String> tags = new HashMap<>();
    tags.put(OwnershipTags.CLUSTER, cluster);
    tags.put(OwnershipTags.FLEET, "default/web");
    tags.put(OwnershipTags.FLEET_UID, uid);
    tags.put(OwnershipTags.REVISION, revision);
    tags.put(OwnershipTags.NAME, "web");
    return tags;
  }

  // ---- variations of an instance ----

  /** The same instance launched from another template revision. */
  static Instance revision(Instance i, String revision) {
    return withTag(i, OwnershipTags.REVISION, revision);
  }

  /** The same instance, launched by the intent with this client token. */
  static Instance launchedBy(Instance i, String token) {
    return withTag(i, OwnershipTags.LAUNCH, token);
  }

  /** The same instance as seen when it is not this fleet's. */
  static Instance foreign(Instance i, Foreign kind) {
    return switch (kind) {
      case NO_TAGS -> withOnlyTags(i, Map.of("Name", "someone-elses"));
      case OTHER_CLUSTER -> withTag(i, OwnershipTags.CLUSTER, "other-cluster");
      case OTHER_FLEET -> withTag(i, OwnershipTags.FLEET_UID, "uid-2");
    };
  }

  /** The same instance, tagged {@code serverfleet.dev/protected=true} by a person. */
  static Instance protect(Instance i) {
    return withTag(i, OwnershipTags.PROTECTED, "true");
  }

  /** The same instance with this status-check verdict. */
  static Instance health(Instance i, Health health) {
    return i.withHealth(health);
  }

  static Instance withTag(Instance i, String key, String value) {
    return i.withTags(Map.of(key, value));
  }

  /** The instance with only these tags: none of the fleet's. */
  static Instance withOnlyTags(Instance i, Map<String, String> tags) {
    return new Instance(
        i.id(),
        i.state(),
        i.imageId(),
        i.instanceType(),
        i.subnetId(),
        i.zone(),
        i.privateIp(),
        i.launchTime(),
        tags);
  }

  // ---- intents ----

  /** An intent of the current revision. */
  static Intent intent(String token, String subnet, int count, Instant createdAt) {
    return new Intent(token, subnet, count, REV, createdAt);
  }

  /** An intent RunInstances answered at {@code at} with ids no sweep has shown. */
  static Intent acknowledged(String token, String subnet, int count, Instant at) {
    List<String> ids =
        java.util.stream.IntStream.range(0, count).mapToObj(n -> token + "-i-" + n).toList();
    return new Intent(token, subnet, count, REV, at, Intent.State.ACKNOWLEDGED, 1, at, ids);
  }

  static Intent oldIntent(String token, String subnet, int count, Instant createdAt) {
    return new Intent(token, subnet, count, OLD_REV, createdAt);
  }

  // ---- policies ----

  /**
   * Starts from the defaults of a small fleet: RollingUpdate 1/0 (25% surge rounds up to 1), no
   * minReady, NewestFirst, no status checks, the default health grace and replacement share.
   */
  static PolicyBuilder policy() {
    return new PolicyBuilder();
  }

  static final class PolicyBuilder {
    private Policy.Strategy strategy = Policy.Strategy.ROLLING_UPDATE;
    private RolloutBounds bounds = new RolloutBounds(1, 0);
    private Duration minReady = Duration.ZERO;
    private boolean paused = false;
    private Policy.ScaleDownOrder order = Policy.ScaleDownOrder.NEWEST_FIRST;
    private boolean statusChecks = false;
    private Duration grace = Policy.DEFAULT_HEALTH_GRACE;
    private int maxUnhealthyPercent = Policy.DEFAULT_MAX_UNHEALTHY_PERCENT;
    private Policy.ReadyTag readyTag;

    private PolicyBuilder() {}

    PolicyBuilder rolling(int maxSurge, int maxUnavailable) {
      return bounds(new RolloutBounds(maxSurge, maxUnavailable));
    }

    PolicyBuilder bounds(RolloutBounds bounds) {
      this.strategy = Policy.Strategy.ROLLING_UPDATE;
      this.bounds = bounds;
      return this;
    }

    PolicyBuilder recreate() {
      this.strategy = Policy.Strategy.RECREATE;
      return this;
    }

    PolicyBuilder minReady(Duration minReady) {
      this.minReady = minReady;
      return this;
    }

    PolicyBuilder paused() {
      this.paused = true;
      return this;
    }

    PolicyBuilder oldestFirst() {
      this.order = Policy.ScaleDownOrder.OLDEST_FIRST;
      return this;
    }

    PolicyBuilder statusChecks(Duration grace, int maxUnhealthyPercent) {
      this.statusChecks = true;
      this.grace = grace;
      this.maxUnhealthyPercent = maxUnhealthyPercent;
      return this;
    }

    /** A readiness gate: ready once tagged {@code key=value}. */
    PolicyBuilder readyTag(String key, String value) {
      this.readyTag = new Policy.ReadyTag(key, value);
      return this;
    }

    PolicyBuilder maxUnhealthy(int percent) {
      this.maxUnhealthyPercent = percent;
      return this;
    }

    /** The health grace alone (it also bounds the readiness gate). */
    PolicyBuilder grace(Duration grace) {
      this.grace = grace;
      return this;
    }

    Policy build() {
      return new Policy(
              strategy, bounds, minReady, paused, order, statusChecks, grace, maxUnhealthyPercent)
          .withReadyTag(readyTag);
    }
  }

  /**
   * Builds a {@link PlanInput}: one subnet, no replicas, current revision, {@code T0}, default
   * timing.
   */
  static final class InputBuilder {
    private int replicas;
    private List<String> subnets = List.of("subnet-a");
    private String revision = REV;
    private String cluster = CLUSTER;
    private String uid = UID;
    private final List<Instance> instances = new ArrayList<>();
    private final List<Intent> intents = new ArrayList<>();
    private final Set<String> avoid = new LinkedHashSet<>();
    private final Set<String> draining = new LinkedHashSet<>();
    private Instant now = T0;
    private PlanInput.Timing timing = TIMING;
    private Policy policy = PlanFixtures.policy().build();
    private final Map<String, Instant> readySince = new HashMap<>();

    private InputBuilder() {}

    InputBuilder replicas(int replicas) {
      this.replicas = replicas;
      return this;
    }

    InputBuilder subnets(String... subnets) {
      return subnets(Arrays.asList(subnets));
    }

    InputBuilder subnets(List<String> subnets) {
      this.subnets = List.copyOf(subnets);
      return this;
    }

    InputBuilder revision(String revision) {
      this.revision = revision;
      return this;
    }

    InputBuilder cluster(String cluster) {
      this.cluster = cluster;
      return this;
    }

    InputBuilder fleetUid(String uid) {
      this.uid = uid;
      return this;
    }

    InputBuilder instances(Instance... instances) {
      return instances(Arrays.asList(instances));
    }

    InputBuilder instances(List<Instance> instances) {
      this.instances.addAll(instances);
      return this;
    }

    InputBuilder intents(Intent... intents) {
      return intents(Arrays.asList(intents));
    }

    InputBuilder intents(List<Intent> intents) {
      this.intents.addAll(intents);
      return this;
    }

    /** Instances on their way out through the drain stage, as status.draining records them. */
    InputBuilder draining(String... ids) {
      return draining(Arrays.asList(ids));
    }

    InputBuilder draining(Iterable<String> ids) {
      ids.forEach(draining::add);
      return this;
    }

    InputBuilder avoid(String... subnets) {
      return avoid(Arrays.asList(subnets));
    }

    InputBuilder avoid(Iterable<String> subnets) {
      subnets.forEach(avoid::add);
      return this;
    }

    InputBuilder now(Instant now) {
      this.now = now;
      return this;
    }

    InputBuilder timing(PlanInput.Timing timing) {
      this.timing = timing;
      return this;
    }

    InputBuilder policy(Policy policy) {
      this.policy = policy;
      return this;
    }

    InputBuilder policy(PolicyBuilder policy) {
      return policy(policy.build());
    }

    /** When the instance was first observed ready, as status records it. */
    InputBuilder readySince(String instanceId, Instant since) {
      readySince.put(instanceId, since);
      return this;
    }

    InputBuilder readySince(Map<String, Instant> since) {
      readySince.putAll(since);
      return this;
    }

    PlanInput build() {
      return new PlanInput(
              replicas,
              subnets,
              revision,
              cluster,
              uid,
              instances,
              intents,
              avoid,
              now,
              timing,
              policy,
              readySince)
          .withDraining(draining);
    }
  }
}
