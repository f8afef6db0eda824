package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.BatchResult;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Plays JOSDK and Kubernetes around one {@link FleetLoop}, with no Kubernetes mocks: a status store
 * that behaves like the API server's status subresource under a server-side-apply patch (JSON round
 * trip, a new resourceVersion per write, no optimistic locking), the operator's own {@link
 * InstanceCache} fed by sweeps of the fake EC2 (a changed observation is an event), a requeue
 * timer, and a {@link #journal} that puts status writes and EC2 calls in one global order.
 */
final class LoopHarness {
  static final String CLUSTER = "test-cluster";
  static final String NAMESPACE = "shop";
  static final String NAME = "web";
  static final String UID = "0b6f1c3e-8d2a-4f4e-9c1b-2a7d5e9f0c11";
  static final String AMI = "ami-0abcdef1234567890";
  static final String INSTANCE_TYPE = "t3.micro";
  static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");

  /** One step of the global order: a status write or an EC2 call (made, whatever its outcome). */
  record Entry(int seq, String kind, String detail) {}

  record Event(String type, String reason, String message) {}

  /** Thrown by the status store to stand for the operator process dying right after a write. */
  static final class OperatorCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OperatorCrash() {
      super("operator crashed after a status write");
    }
  }

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  final MutableClock clock = new MutableClock();
  final FakeEc2 fake = new FakeEc2(clock);
  final List<Entry> journal = new ArrayList<>();

  /** For each journal entry, whose EC2 calls the thread was making then (Ec2RateLimits). */
  final List<String> callers = new ArrayList<>();

  final List<ServerFleetStatus> writes = new ArrayList<>();
  final List<Event> events = new ArrayList<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Ec2Port ec2 = new JournalingEc2();
  private final FleetMetrics metrics =
      new FleetMetrics(registry); // outlives restarts, like the endpoint
  private final PlanInput.Timing timing;
  private final FleetLoop.StatusWriter store = this::writeStatus;

  private ServerFleet stored;
  private long resourceVersion = 1;
  private FleetLoop loop;
  private InstanceCache cache = new InstanceCache();

  /** Interruption notices from the queue on their way into status (lost by a restart). */
  InterruptionNotices notices = new InterruptionNotices();

  private FastLane lane;
  private Instant nextRunAt;
  private boolean eventPending = true; // the informer's initial list is an event
  private boolean crashAfterNextWrite;
  private Runnable afterNextWrite;
  private int loseRunResponses;
  private int passes;
  private boolean pollWithStatusChecks;
  private final Map<String, Map<String, String>> tagsAddedInEc2 = new HashMap<>();

  LoopHarness(int replicas) {
    this(replicas, PlanInput.Timing.DEFAULT);
  }

  LoopHarness(int replicas, PlanInput.Timing timing) {
    this.timing = timing;
    this.stored = newFleet(replicas);
    this.loop = newLoop();
  }

  static ServerFleet newFleet(int replicas) {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId(AMI);
    template.setInstanceType(INSTANCE_TYPE);
    template.setSubnetIds(SUBNETS);
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(replicas);
    spec.setTemplate(template);
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(
        new ObjectMetaBuilder()
            .withName(NAME)
            .withNamespace(NAMESPACE)
            .withUid(UID)
            .withGeneration(1L)
            .withResourceVersion("1")
            .build());
    fleet.setSpec(spec);
    return fleet;
  }

  private FleetClasses classes = FleetClasses.NONE;
  private DrainActions drainActions;

  /** What runs pre-termination hooks from now on (kept across restarts, like EC2). */
  void useDrains(DrainActions actions) {
    this.drainActions = actions;
    loop.useDrains(actions, new DrainMetrics(registry));
  }

  private GateActions gateActions;

  /** What runs SSM and webhook readiness gates from now on (kept across restarts, like EC2). */
  void useGates(GateActions actions) {
    this.gateActions = actions;
    loop.useGates(actions);
  }

  private dev.serverfleet.operator.cloud.TargetGroups targetGroups;

  /**
   * The ELBv2 port from now on (kept across restarts, like EC2); before the first pass, as the loop
   * is built anew with it.
   */
  void useTargetGroups(dev.serverfleet.operator.cloud.TargetGroups targetGroups) {
    this.targetGroups = targetGroups;
    this.loop = newLoop();
  }

  /** An entry in the journal, in order with the EC2 calls (a hook call, say). */
  void note(String kind, String detail) {
    log(kind, detail);
  }

  /** The ServerFleetClasses the loop reads from now on (kept across restarts). */
  void useClasses(FleetClasses classes) {
    this.classes = classes;
    loop.useClasses(classes);
  }

  private Duration launchTemplateRefresh;

  /** Launch templates from the fake's, refreshed every {@code refresh} (kept across restarts). */
  void useLaunchTemplates(Duration refresh) {
    this.launchTemplateRefresh = refresh;
    loop.useLaunchTemplates(fake.launchTemplates, refresh);
  }

  private dev.serverfleet.operator.cloud.InstanceTypeInfo instanceTypes =
      dev.serverfleet.operator.cloud.InstanceTypeInfo.NONE;

  /**
   * A ServerFleetClass changed: JOSDK's class informer maps it to the fleet (see {@code
   * ServerFleetReconciler.usersOf}), which is an event.
   */
  void classChanged() {
    eventPending = true;
  }

  /** Where instance-type sizes come from (kept across restarts). */
  void useInstanceTypes(dev.serverfleet.operator.cloud.InstanceTypeInfo instanceTypes) {
    this.instanceTypes = instanceTypes;
    loop.useInstanceTypes(instanceTypes);
  }

  private dev.serverfleet.operator.selection.LaunchResolver resolver;

  /** What resolves the fleet's selectors from now on (kept across restarts). */
  void useResolver(dev.serverfleet.operator.selection.LaunchResolver resolver) {
    this.resolver = resolver;
    loop.useResolver(resolver);
  }

  private FleetLoop newLoop() {
    FleetEvents recorder =
        new FleetEvents() {
          @Override
          public void normal(ServerFleet fleet, String reason, String message) {
            events.add(new Event("Normal", reason, message));
          }

          @Override
          public void warning(ServerFleet fleet, String reason, String message) {
            events.add(new Event("Warning", reason, message));
          }
        };
    // the fake answers DescribeSubnets and DescribeInstanceTypeOfferings too, as the jar's port
    // does
    FleetLoop fresh =
        new FleetLoop(
            CloudPorts.of(ec2).withOfferings(fake).withTargetGroups(targetGroups),
            UnavailableOfferings.DEFAULT_TTL,
            CLUSTER,
            clock,
            timing,
            recorder,
            metrics,
            history);
    if (classes != null) {
      fresh.useClasses(classes);
    }
    if (launchTemplateRefresh != null) {
      fresh.useLaunchTemplates(fake.launchTemplates, launchTemplateRefresh);
    }
    if (instanceTypes != null) {
      fresh.useInstanceTypes(instanceTypes);
    }
    if (drainActions != null) {
      fresh.useDrains(drainActions, new DrainMetrics(registry));
    }
    if (gateActions != null) {
      fresh.useGates(gateActions);
    }
    if (resolver != null) {
      fresh.useResolver(resolver);
    }
    return fresh;
  }

  // ---- Kubernetes: the stored resource ----

  ServerFleet fleet() {
    return copy(stored, ServerFleet.class);
  }

  ServerFleetStatus status() {
    return stored.getStatus() == null ? null : copy(stored.getStatus(), ServerFleetStatus.class);
  }

  Condition condition(String type) {
    return status().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  /** A user edits the spec: generation and resourceVersion move on, and JOSDK gets an event. */
  void editSpec(Consumer<ServerFleetSpec> edit) {
    ServerFleet next = fleet();
    edit.accept(next.getSpec());
    next.getMetadata().setGeneration(next.getMetadata().getGeneration() + 1);
    next.getMetadata().setResourceVersion(String.valueOf(++resourceVersion));
    stored = next;
    eventPending = true;
  }

  void scale(int replicas) {
    editSpec(s -> s.setReplicas(replicas));
  }

  /**
   * A user sets an annotation: resourceVersion moves on and JOSDK gets an event, but generation
   * stays, as the API server does for metadata-only changes.
   */
  void annotate(String key, String value) {
    ServerFleet next = fleet();
    Map<String, String> annotations =
        new HashMap<>(Optional.ofNullable(next.getMetadata().getAnnotations()).orElse(Map.of()));
    annotations.put(key, value);
    next.getMetadata().setAnnotations(annotations);
    next.getMetadata().setResourceVersion(String.valueOf(++resourceVersion));
    stored = next;
    eventPending = true;
  }

  /** Runs once, right after the next status write: a user acting between two writes of one pass. */
  void afterNextWrite(Runnable action) {
    afterNextWrite = action;
  }

  /** The status store writes the next status, then the operator process dies. */
  void crashAfterNextWrite() {
    crashAfterNextWrite = true;
  }

  /** The next {@code count} RunInstances calls take effect in EC2 but their answers are lost. */
  void loseRunResponses(int count) {
    loseRunResponses = count;
  }

  /**
   * SSA status patch without resourceVersion: it replaces the status whatever the stored
   * resourceVersion, as the operator's patch does; a spec edited meanwhile stays.
   */
  private ServerFleet writeStatus(ServerFleet fleet, ServerFleetStatus status) {
    ServerFleet next = fleet();
    next.setStatus(copy(status, ServerFleetStatus.class));
    next.getMetadata().setResourceVersion(String.valueOf(++resourceVersion));
    stored = next;
    writes.add(copy(status, ServerFleetStatus.class));
    log(
        "status",
        "rv="
            + resourceVersion
            + " intents="
            + status.getLaunchIntents().stream().map(i -> i.token()).toList());
    if (crashAfterNextWrite) {
      crashAfterNextWrite = false;
      throw new OperatorCrash();
    }
    ServerFleet written = fleet();
    if (afterNextWrite != null) {
      Runnable action = afterNextWrite;
      afterNextWrite = null;
      action.run();
    }
    return written;
  }

  // ---- Kubernetes: the revision history and spec writes ----

  /** ControllerRevisions, as the API server keeps them (they outlive operator restarts). */
  final MemoryFleetStore history = new MemoryFleetStore(this::updateFleet);

  Map<String, FleetStore.StoredRevision> revisions() {
    return history.of(UID);
  }

  /**
   * PUT with the resourceVersion read: refused when the stored fleet moved on; a spec change moves
   * generation on and is an event, as on the API server. Status is not written by a PUT.
   */
  private ServerFleet updateFleet(ServerFleet changed) {
    if (!stored
        .getMetadata()
        .getResourceVersion()
        .equals(changed.getMetadata().getResourceVersion())) {
      throw new io.fabric8.kubernetes.client.KubernetesClientException("conflict", 409, null);
    }
    ServerFleet next = copy(changed, ServerFleet.class);
    next.setStatus(
        stored.getStatus() == null ? null : copy(stored.getStatus(), ServerFleetStatus.class));
    boolean specChanged = !JSON.asJson(next.getSpec()).equals(JSON.asJson(stored.getSpec()));
    next.getMetadata().setGeneration(stored.getMetadata().getGeneration() + (specChanged ? 1 : 0));
    next.getMetadata().setResourceVersion(String.valueOf(++resourceVersion));
    stored = next;
    eventPending = true;
    log("spec", "rv=" + resourceVersion + " generation=" + next.getMetadata().getGeneration());
    return fleet();
  }

  // ---- JOSDK: cache, events, requeue, restarts ----

  static final ResourceID FLEET_ID = new ResourceID(NAME, NAMESPACE);

  /** What the next pass gets: the last sweep, and what was launched since. */
  Observation cached() {
    return cache.observe(FLEET_ID);
  }

  /**
   * A sweep, as the operator's {@link InstanceSweep} makes it: the cache swaps in what
   * DescribeInstances returns and merges what passes recorded (a failed sweep keeps the cache).
   * Returns whether that is an event.
   */
  boolean poll() {
    List<Instance> described;
    Instant started = clock.instant();
    try {
      described = pollWithStatusChecks ? pollLikeTheOperator() : ec2.describeOwned(CLUSTER);
    } catch (CloudException e) {
      return false;
    }
    String key = NAMESPACE + "/" + NAME;
    Set<Instance> mine = new java.util.HashSet<>();
    described.stream().filter(i -> key.equals(i.tag(OwnershipTags.FLEET))).forEach(mine::add);
    boolean changed =
        cache
            .sweepCompleted(
                mine.isEmpty() ? Map.of() : Map.of(FLEET_ID, mine), started, clock.instant())
            .contains(FLEET_ID);
    eventPending |= changed;
    return changed;
  }

  /**
   * A round of the operator's {@link FastLane} (period {@link #FAST_PERIOD}, backing off to {@link
   * #QUIET}) on this cache: instances in flux are described by id; returns whether that is an event
   * for the fleet.
   */
  boolean fastLane() {
    if (lane == null) {
      lane = new FastLane(cache, ec2::describeByIds, FAST_PERIOD, QUIET, clock, registry);
    }
    boolean changed = lane.round().contains(FLEET_ID);
    eventPending |= changed;
    return changed;
  }

  static final Duration FAST_PERIOD = Duration.ofSeconds(2);

  /**
   * From now on a poll goes through the operator's {@link InstancePoller}, which also asks
   * DescribeInstanceStatus for the status checks of running instances while the fleet's healthCheck
   * is EC2StatusChecks.
   */
  void pollWithStatusChecks() {
    pollWithStatusChecks = true;
  }

  private List<Instance> pollLikeTheOperator() {
    return new InstancePoller(
            ec2,
            CLUSTER,
            fleet ->
                fleet.equals(new ResourceID(NAME, NAMESPACE))
                    && SpecDefaults.policy(stored).statusChecks())
        .poll().getOrDefault(new ResourceID(NAME, NAMESPACE), Set.of()).stream()
            .sorted(Comparator.comparing(Instance::id))
            .toList();
  }

  /**
   * A person adds a tag to an instance in EC2 (for example {@code serverfleet.dev/protected=true}):
   * every DescribeInstances from now on shows it.
   */
  void tagInEc2(String instanceId, String key, String value) {
    tagsAddedInEc2.computeIfAbsent(instanceId, k -> new HashMap<>()).put(key, value);
  }

  private List<Instance> withTagsAddedInEc2(List<Instance> described) {
    return described.stream()
        .map(
            i -> {
              Map<String, String> added = tagsAddedInEc2.get(i.id());
              return added == null ? i : i.withTags(added);
            })
        .toList();
  }

  /** One reconcile, now, on the cache as it is. */
  FleetLoop.Result step() {
    passes++;
    eventPending = false;
    nextRunAt = null;
    FleetLoop.Result result =
        loop.run(
            fleet(),
            cached().withNotices(notices.of(FLEET_ID)),
            store,
            new FleetLoop.CacheUpdates() {
              @Override
              public void launched(Instance instance) {
                cache.launched(FLEET_ID, instance, clock.instant());
              }

              @Override
              public void terminating(String instanceId) {
                cache.terminating(FLEET_ID, instanceId, clock.instant());
              }
            });
    notices.settle(FLEET_ID, stored.getStatus());
    nextRunAt = result.requeueAfter().map(d -> clock.instant().plus(d)).orElse(null);
    return result;
  }

  boolean due() {
    return eventPending || (nextRunAt != null && !clock.instant().isBefore(nextRunAt));
  }

  /** When the requeue timer fires, or null when none is set. */
  Instant nextRunAt() {
    return nextRunAt;
  }

  /** A requeue further away than this is a timer (progress deadline, capacity retry), not work. */
  static final Duration QUIET = Duration.ofSeconds(60);

  /**
   * Polls, reconciles when an event or the requeue timer is due, advances the clock; until a poll
   * brings no event and no requeue is pending within {@link #QUIET}. Returns the reconciles it ran.
   */
  int runUntilStable(int maxSteps, Duration advancePerStep) {
    int ran = 0;
    for (int n = 0; n < maxSteps; n++) {
      poll();
      if (due()) {
        step();
        ran++;
      } else if (nextRunAt == null || nextRunAt.isAfter(clock.instant().plus(QUIET))) {
        return ran;
      }
      clock.advance(advancePerStep);
    }
    throw new AssertionError(
        "not stable after "
            + maxSteps
            + " steps at "
            + clock.instant()
            + ": status "
            + JSON.asJson(stored.getStatus())
            + "\nlast entries "
            + journal.subList(Math.max(0, journal.size() - 12), journal.size()));
  }

  /** The process restarts: a new FleetLoop (fresh backoff), an empty cache, and a full resync. */
  void restart() {
    loop = newLoop();
    cache = new InstanceCache();
    notices = new InterruptionNotices();
    lane = null;
    nextRunAt = null;
    eventPending = true;
  }

  int passes() {
    return passes;
  }

  /** The interruption queue delivers a notice for the instance: the next pass is due. */
  void interrupt(String instanceId, dev.serverfleet.operator.fleet.Interruption notice) {
    notices.offer(new InterruptionNotices.Key(FLEET_ID, instanceId), notice);
    eventPending = true;
  }

  // ---- EC2 ----

  /**
   * Every instance of this fleet in EC2, visible to describe yet or not, not shutting down or gone.
   */
  List<Instance> liveInstances() {
    return fake.instances().stream()
        .filter(i -> i.ownedBy(CLUSTER, UID) && i.state().isLive())
        .toList();
  }

  List<LaunchRequest> runRequests() {
    return fake.runRequests();
  }

  double counter(String name) {
    Counter c = registry.find(name).counter();
    return c == null ? 0 : c.count();
  }

  /** Position of the first journal entry of {@code kind}, or -1. */
  int firstIndexOf(String kind) {
    return journal.stream()
        .filter(e -> e.kind().equals(kind))
        .mapToInt(Entry::seq)
        .findFirst()
        .orElse(-1);
  }

  List<Entry> entries(String kind) {
    return journal.stream().filter(e -> e.kind().equals(kind)).toList();
  }

  private void log(String kind, String detail) {
    journal.add(new Entry(journal.size(), kind, detail));
    callers.add(Ec2RateLimits.currentCaller());
  }

  private static <T> T copy(T value, Class<T> type) {
    return JSON.unmarshal(JSON.asJson(value), type);
  }

  /**
   * Puts each call in the journal before it reaches the fake, and can lose RunInstances answers.
   */
  private final class JournalingEc2 implements Ec2Port {
    @Override
    public List<Instance> describeOwned(String clusterName) {
      log(FakeEc2.DESCRIBE, clusterName);
      return withTagsAddedInEc2(fake.describeOwned(clusterName));
    }

    @Override
    public List<Instance> describeLaunch(String clusterName, String clientToken) {
      log(FakeEc2.DESCRIBE, clusterName + " launch=" + clientToken);
      return withTagsAddedInEc2(fake.describeLaunch(clusterName, clientToken));
    }

    @Override
    public Map<String, Health> describeHealth(Collection<String> instanceIds) {
      log(FakeEc2.DESCRIBE_STATUS, String.join(",", instanceIds));
      return fake.describeHealth(instanceIds);
    }

    @Override
    public List<Instance> describeByIds(Collection<String> instanceIds) {
      log(FakeEc2.DESCRIBE, "ids=" + String.join(",", instanceIds));
      return withTagsAddedInEc2(fake.describeByIds(instanceIds));
    }

    @Override
    public List<Instance> runInstances(LaunchRequest request) {
      log(
          FakeEc2.RUN,
          request.subnetId() + " x" + request.count() + " token=" + request.clientToken());
      List<Instance> launched = fake.runInstances(request);
      if (loseRunResponses > 0) {
        loseRunResponses--;
        throw ErrorClassifier.fromCode(FakeEc2.RUN, ErrorClassifier.IO_ERROR, "Read timed out", 0);
      }
      return launched;
    }

    @Override
    public BatchResult terminate(Collection<String> instanceIds) {
      log(FakeEc2.TERMINATE, String.join(",", instanceIds));
      return fake.terminate(instanceIds);
    }

    @Override
    public java.util.Set<String> existingImages(Collection<String> amiIds) {
      log(FakeEc2.DESCRIBE_IMAGES, String.join(",", amiIds));
      return fake.existingImages(amiIds);
    }

    @Override
    public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
      log(FakeEc2.DELETE_TAGS, String.join(",", instanceIds));
      return fake.untag(instanceIds, tagKeys);
    }
  }

  /** A 500 from EC2: the call may or may not have taken effect. */
  static CloudException transientError() {
    return ErrorClassifier.fromCode(
        FakeEc2.RUN, "InternalError", "An internal error has occurred", 500);
  }
}
