package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.InstanceTypeInfo;
import dev.serverfleet.operator.cloud.LaunchTemplates;
import dev.serverfleet.operator.cloud.TargetGroups;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.selection.LaunchResolver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One pass of observe → plan → act → record for one fleet, independent of JOSDK so that fast tests
 * drive it against the in-memory EC2 fake. The one rule it exists to keep: a launch intent is
 * written to status before its RunInstances call is made.
 */
public final class FleetLoop {
  /** How soon to look again while launches are in flight or instances are settling. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  /** How soon the pass after a passed deadline runs when it may roll back. */
  static final Duration ROLLBACK_SOON = Duration.ofSeconds(1);

  /** Persists a status; returns the fleet as stored (with its new resourceVersion). */
  @FunctionalInterface
  public interface StatusWriter {
    ServerFleet write(ServerFleet fleet, ServerFleetStatus status);
  }

  /** The fleet's instances after the pass: terminated ones shutting down, launched ones added. */
  private static List<Instance> after(List<Instance> owned, FleetActions.Outcome outcome) {
    Map<String, Instance> seen = new LinkedHashMap<>();
    Set<String> gone = Set.copyOf(outcome.terminated());
    owned.forEach(
        i ->
            seen.put(i.id(), gone.contains(i.id()) ? i.withState(InstanceState.SHUTTING_DOWN) : i));
    outcome.launched().forEach(i -> seen.putIfAbsent(i.id(), i));
    return List.copyOf(seen.values());
  }

  /** When to run the next pass at the latest. */
  public record Result(Optional<Duration> requeueAfter) {}

  /**
   * What the pass changed in EC2, for the observation cache to show before the next sweep, so that
   * the next pass neither launches nor terminates the same thing again.
   */
  public interface CacheUpdates extends FleetActions.Observer {}

  private final String clusterName;
  private final Clock clock;
  private final PlanInput.Timing timing;
  private final FleetMetrics metrics;
  private final FailureMemory failures;
  private final FleetActions actions;
  private final FleetEvents events;
  private final RolloutSafety safety;
  private final ZoneOfferings zones;
  private volatile FleetClasses classes = FleetClasses.NONE;
  private volatile InstanceTypeInfo instanceTypes;
  private volatile DrainStage drains;
  private volatile GateStage gates;
  private volatile LaunchTemplateGate templates = LaunchTemplateGate.NONE;
  private final TargetGroups targetGroups;
  private final TargetRegistrations registrations;
  private volatile LaunchResolver resolver;
  private final PassRecord record;

  public FleetLoop(
      Ec2Port ec2,
      String clusterName,
      Clock clock,
      PlanInput.Timing timing,
      FleetEvents events,
      FleetMetrics metrics,
      FleetStore store) {
    this(
        CloudPorts.of(ec2),
        UnavailableOfferings.DEFAULT_TTL,
        clusterName,
        clock,
        timing,
        events,
        metrics,
        store);
  }

  /**
   * @param cloud the ports to AWS: instances, the subnets' zones and the types each zone offers,
   *     instance-type sizes (for classes with a vCPU quota)
   * @param unavailableOfferingTtl how long an offering out of capacity is avoided, by every fleet
   */
  public FleetLoop(
      CloudPorts cloud,
      Duration unavailableOfferingTtl,
      String clusterName,
      Clock clock,
      PlanInput.Timing timing,
      FleetEvents events,
      FleetMetrics metrics,
      FleetStore store) {
    Ec2Port ec2 = cloud.ec2();
    this.clusterName = clusterName;
    this.safety = new RolloutSafety(ec2, store, events);
    this.clock = clock;
    this.timing = timing;
    this.metrics = metrics;
    this.zones = new ZoneOfferings(cloud.offerings());
    this.instanceTypes = cloud.instanceTypes();
    this.failures = new FailureMemory(unavailableOfferingTtl);
    this.actions = new FleetActions(ec2, clusterName, events, metrics, failures);
    this.events = events;
    this.targetGroups = cloud.targetGroups();
    this.registrations = new TargetRegistrations(targetGroups, events);
    this.drains =
        new DrainStage(
            DrainActions.NONE,
            targetGroups,
            clock,
            events,
            new DrainMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    this.gates = new GateStage(GateActions.NONE, events);
    this.resolver = LaunchResolver.unconfigured(clock);
    this.record = new PassRecord(safety, failures, zones, events);
  }

  /** What runs SSM and webhook readiness gates (the operator's wiring); until set, none passes. */
  public void useGates(GateActions actions) {
    this.gates = new GateStage(actions, events);
  }

  /** What runs pre-termination hooks (the operator's wiring); until set, every hook call fails. */
  public void useDrains(DrainActions actions, DrainMetrics drainMetrics) {
    this.drains = new DrainStage(actions, targetGroups, clock, events, drainMetrics);
  }

  DrainStage drains() {
    return drains;
  }

  /** What resolves the templates' selectors (shared by every fleet); none can until set. */
  public void useResolver(LaunchResolver resolver) {
    this.resolver = resolver;
  }

  public String clusterName() {
    return clusterName;
  }

  /** Where the ServerFleetClasses come from (the reconciler's informer); none until set. */
  public void useClasses(FleetClasses classes) {
    this.classes = classes;
  }

  /** Where vCPUs of instance types come from, for classes with a vCPU quota (tests swap it). */
  public void useInstanceTypes(InstanceTypeInfo instanceTypes) {
    this.instanceTypes = instanceTypes;
  }

  /**
   * Where launch templates are resolved, once per {@code refresh} for all fleets; none until set.
   */
  public void useLaunchTemplates(LaunchTemplates port, Duration refresh) {
    this.templates = new LaunchTemplateGate(port, refresh, clock, events);
  }

  FailureMemory failures() {
    return failures;
  }

  /**
   * @param swept the fleet's instances as the shared sweep last saw them, and those launched since
   * @param cache receives what this pass launched and terminated, before the next sweep
   */
  public Result run(ServerFleet fleet, Observation swept, StatusWriter writer, CacheUpdates cache) {
    // EC2's buckets are shared fairly across fleets: this pass's calls are this fleet's
    return Ec2RateLimits.callingAs(fleet.fleetKey(), () -> pass(fleet, swept, writer, cache));
  }

  private Result pass(
      ServerFleet fleet, Observation swept, StatusWriter writer, CacheUpdates cache) {
    Instant now = clock.instant();
    // the load balancer's targets: registered once running; their health for healthCheck ELB
    TargetRegistrations.Seen targets = registrations.observe(fleet, swept, clusterName);
    LaunchResolver.Resolution resolution = resolver.resolve(fleet.getSpec().getTemplate());
    if (resolution.resolved().isEmpty()) {
      return SelectorSteps.hold(fleet, resolution, resolver, writer, events, now);
    }
    LaunchTemplateGate.Check template = templates.check(fleet, writer, now);
    if (template.held().isPresent()) {
      return template.held().get();
    }
    Pass pass =
        Pass.of(
            fleet,
            resolution.resolved().get(),
            template,
            targets.observed(),
            clusterName,
            timing,
            failures,
            zones,
            now);
    // Readiness gates first: the planner sees which running instances are through.
    GateStage.Result gated = gates.run(fleet, pass.owned(), DrainStage.recorded(fleet), now);
    pass = pass.gatedBy(gated.passed());
    RolloutSafety.Step step =
        safety.before(
            fleet, pass.revision(), pass.settings(), pass.view(), pass.owned(), writer, now);
    if (step.rewritten()) {
      // An undo or a rollback wrote the spec: the next pass plans for the new generation.
      return new Result(Optional.of(SETTLE));
    }
    return planAndAct(fleet, new Stages(pass, step, gated, targets), writer, cache, now);
  }

  /** What the pass knows once the fleet may go ahead: its stages' results so far. */
  private record Stages(
      Pass pass,
      RolloutSafety.Step step,
      GateStage.Result gated,
      TargetRegistrations.Seen targets) {}

  /** Plan under the class and the rails, drain what goes, call EC2, record, pick the next pass. */
  private Result planAndAct(
      ServerFleet fleet, Stages stages, StatusWriter writer, CacheUpdates cache, Instant now) {
    Pass pass = stages.pass();
    RolloutSafety.Step step = stages.step();
    PlanInput input = pass.unguarded().withFreshCap(step.cap());
    ClassPolicy.Verdict policy =
        ClassPolicy.check(
            fleet,
            pass.settings(),
            input.subnetIds(),
            classes.classes(),
            classes.fleetsIn(fleet.getMetadata().getNamespace()),
            instanceTypes::vcpus);
    Plan decided = guarded(SpotMarkets.plan(fleet, input, events, metrics), pass.hold(), policy);
    // Drain before terminate: what the plan terminates goes through the drain stage first.
    DrainStage.Result drained =
        drains.run(fleet, pass.owned(), DrainRecords.reasons(decided.terminations()), now);
    Plan plan = DrainRecords.acting(decided, drained, pass.owned());

    ServerFleet current =
        record.intentsFirst(fleet, pass, step, plan, drained, stages.gated(), writer, now);
    Set<String> known = pass.owned().stream().map(Instance::id).collect(Collectors.toSet());
    FleetActions.Outcome outcome =
        actions.apply(current, plan, pass.settings(), input.instanceTypes(), now, known, cache);

    List<Instance> instances = after(pass.owned(), outcome);
    ServerFleetStatus status =
        record.status(
            current,
            pass,
            step,
            plan,
            policy,
            outcome,
            drained,
            stages.gated(),
            stages.targets(),
            instances,
            now);
    boolean newlyExceeded = record.announceDeadline(fleet, status);
    if (!status.equals(current.getStatus())) {
      current = writer.write(current, status);
    }
    metrics.replicas(
        fleet, SpecDefaults.replicas(fleet), status.getReplicas(), status.getReadyReplicas());
    Optional<Duration> next =
        WakeUps.nextPass(
            fleet,
            input,
            pass.view(),
            instances,
            status,
            outcome,
            plan,
            pass.hold(),
            timing,
            failures);
    next =
        sooner(
            forStages(next, fleet, drained, stages.gated()),
            fleet,
            step,
            policy,
            newlyExceeded,
            now);
    return new Result(SelectorSteps.nextPass(next, fleet, resolver));
  }

  /**
   * The next pass, sooner for what the pass's stages wait for: drains, gates, templates, targets.
   */
  private Optional<Duration> forStages(
      Optional<Duration> next,
      ServerFleet fleet,
      DrainStage.Result drained,
      GateStage.Result gated) {
    next = WakeUps.earliest(next, drained.pollIn());
    next = WakeUps.earliest(next, gated.pollIn());
    next = WakeUps.earliest(next, templates.recheck(fleet)); // $Latest and $Default move
    // target health changes are no event: look again, a DescribeTargetHealth per group
    return WakeUps.earliest(next, TargetRegistrations.recheck(fleet));
  }

  /** The next pass, sooner for what the rollout rails and the class wait for. */
  private static Optional<Duration> sooner(
      Optional<Duration> next,
      ServerFleet fleet,
      RolloutSafety.Step step,
      ClassPolicy.Verdict policy,
      boolean newlyExceeded,
      Instant now) {
    if (newlyExceeded && SpecDefaults.autoRollback(fleet)) {
      // the rollback is decided on the stored condition, in the next pass
      next = WakeUps.earliest(next, Optional.of(ROLLBACK_SOON));
    }
    if (policy.refusal().isPresent()) {
      // a neighbour's spec change wakes this fleet (ClassHoldWakeUps); this catches the rest,
      // e.g. a wake-up lost to a restart
      next = WakeUps.earliest(next, Optional.of(ClassPolicy.RECHECK));
    }
    return WakeUps.earliest(next, step.resumeAt().map(t -> Duration.between(now, t)));
  }

  /** The plan without new launches while a launch failure holds them or the class refuses. */
  private static Plan guarded(
      Plan plan, Optional<LaunchHolds.Hold> hold, ClassPolicy.Verdict policy) {
    Plan guarded = hold.isPresent() ? plan.withoutNewLaunches() : plan;
    return policy.refusal().isPresent() ? ClassPolicy.hold(guarded) : guarded;
  }
}
