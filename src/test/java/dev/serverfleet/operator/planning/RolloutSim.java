package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.REV;
import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Plans against an ideal cloud, one plan per {@link #STEP}: a launch appears at once as pending and
 * runs at the next step, a termination takes effect at once, readiness is recorded as status would
 * record it. Every plan is checked against the rollout's bounds before it is applied. Bounds given
 * as percentages are resolved for the replicas of each step, as the controller does.
 */
final class RolloutSim {
  /** As long as an intent needs to be settled: each launch's intent is gone at the next step. */
  static final Duration STEP = PlanFixtures.RETRY_AFTER;

  private final IdealCloud cloud = new IdealCloud(List.of(), i -> true);
  private final Map<String, Instant> readySince = new HashMap<>();
  private final List<String> subnets;
  private final Map<Integer, Integer> scaleAt = new TreeMap<>();
  private final List<Consumer<RolloutSim>> checks = new ArrayList<>();
  private List<Intent> intents = List.of();
  private int replicas;
  private String revision = REV;
  private PlanFixtures.PolicyBuilder policy = PlanFixtures.policy();
  private Object surge = 1;
  private Object unavailable = 0;
  private Set<String> avoid = Set.of();
  private int avoidUntil = Integer.MAX_VALUE;
  private Instant now = T0;
  private int step;
  private Plan lastPlan;
  private boolean settled;
  private CheckpointGate.Spec checkpoints = CheckpointGate.Spec.NONE;
  private CheckpointGate.Recorded recorded = CheckpointGate.Recorded.NONE;
  private CheckpointGate.Decision gate;
  private int drainSteps;
  private final Map<String, Integer> draining = new java.util.LinkedHashMap<>();

  RolloutSim(int replicas, String... subnets) {
    this.replicas = replicas;
    this.subnets = subnets.length == 0 ? List.of("subnet-a") : List.of(subnets);
  }

  /** Instances as they are at the start; running ones have been ready since their launch. */
  RolloutSim add(Instance... existing) {
    for (Instance i : existing) {
      cloud.add(i);
      if (i.state() == InstanceState.RUNNING && i.launchTime() != null) {
        readySince.put(i.id(), i.launchTime());
      }
    }
    return this;
  }

  RolloutSim revision(String revision) {
    this.revision = revision;
    return this;
  }

  /** Integers or percentages, resolved for each step's replicas; null is the default. */
  RolloutSim bounds(Object surge, Object unavailable) {
    this.surge = surge;
    this.unavailable = unavailable;
    return this;
  }

  /** Strategy, minReady, pause, order and health rules; the bounds come from {@link #bounds}. */
  RolloutSim policy(PlanFixtures.PolicyBuilder policy) {
    this.policy = policy;
    return this;
  }

  /** Each plan is capped by the checkpoint gate, as the controller does, with status kept here. */
  RolloutSim checkpoints(CheckpointGate.Spec checkpoints) {
    this.checkpoints = checkpoints;
    return this;
  }

  /** The gate's decision for the last plan. */
  CheckpointGate.Decision gate() {
    return gate;
  }

  /**
   * A pre-termination hook that takes this many steps: a running instance a plan terminates is
   * drained (still running, never ready) and terminated only that many steps later.
   */
  RolloutSim drainSteps(int steps) {
    this.drainSteps = steps;
    return this;
  }

  /** Instances draining now. */
  Set<String> draining() {
    return Set.copyOf(draining.keySet());
  }

  RolloutSim scaleAt(int atStep, int newReplicas) {
    scaleAt.put(atStep, newReplicas);
    return this;
  }

  RolloutSim avoid(String... subnets) {
    avoid = Set.of(subnets);
    return this;
  }

  /** The avoided subnets are avoided for plans before this step only. */
  RolloutSim avoidUntilStep(int step) {
    avoidUntil = step;
    return this;
  }

  /** A check made after every plan. */
  RolloutSim then(Consumer<RolloutSim> check) {
    checks.add(check);
    return this;
  }

  Plan lastPlan() {
    return lastPlan;
  }

  PlanInput input() {
    Policy p = policy.build();
    Policy resolved =
        new Policy(
            p.strategy(),
            RolloutBounds.resolve(surge, unavailable, replicas),
            p.minReady(),
            p.paused(),
            p.scaleDownOrder(),
            p.statusChecks(),
            p.healthGrace(),
            p.maxUnhealthyPercent(),
            p.readyTag());
    return PlanFixtures.input()
        .replicas(replicas)
        .subnets(subnets)
        .revision(revision)
        .instances(cloud.instances())
        .intents(intents)
        .avoid(step < avoidUntil ? avoid : Set.of())
        .now(now)
        .policy(resolved)
        .readySince(readySince)
        .draining(draining.keySet())
        .build();
  }

  /** Plans once, checks the plan, applies it and moves the clock on by {@link #STEP}. */
  Plan step() {
    replicas = scaleAt.getOrDefault(step, replicas);
    PlanInput in = gated(input());
    Plan plan = FleetPlanner.plan(in);
    checkBounds(in, plan);
    FleetPlannerTest.assertInvariants(in, plan);
    lastPlan = plan;
    InstanceChecks seen = new InstanceChecks(in);
    // without a plan, the next one may differ only because a pending instance runs or a ready one
    // becomes available
    settled =
        plan.isEmpty()
            && plan.intents().isEmpty()
            && in.instances().stream()
                .noneMatch(
                    i ->
                        i.state() == InstanceState.PENDING || (seen.ready(i) && !seen.available(i)))
            && gate.hold().isEmpty();
    checks.forEach(c -> c.accept(this));

    // status: readySince of what this pass saw ready, kept while it stays ready
    InstanceChecks view = new InstanceChecks(in);
    Set<String> ready =
        in.instances().stream().filter(view::ready).map(Instance::id).collect(Collectors.toSet());
    readySince.keySet().retainAll(ready);
    ready.forEach(id -> readySince.putIfAbsent(id, now));

    intents = cloud.apply(drainFirst(plan, in), now);
    settled = settled && in.draining().isEmpty() && draining.isEmpty();
    now = now.plus(STEP);
    step++;
    return plan;
  }

  /**
   * The plan as the drain stage lets it act: running victims start draining, drains that have taken
   * their steps end in termination, everything else as planned.
   */
  private Plan drainFirst(Plan plan, PlanInput in) {
    if (drainSteps == 0) {
      return plan;
    }
    Map<String, Instance> byId = new HashMap<>();
    in.instances().forEach(i -> byId.put(i.id(), i));
    List<Termination> now = new ArrayList<>();
    draining.replaceAll((id, left) -> left - 1);
    draining
        .entrySet()
        .removeIf(
            e -> {
              Instance i = byId.get(e.getKey());
              boolean done = e.getValue() <= 0 || i == null || !i.state().isLive();
              if (done && i != null && i.state().isLive()) {
                now.add(new Termination(i.id(), i.subnetId(), Termination.Reason.SCALE_IN));
              }
              return done;
            });
    for (Termination t : plan.terminations()) {
      Instance i = byId.get(t.instanceId());
      assertThat(draining)
          .as("a draining instance is never chosen again")
          .doesNotContainKey(t.instanceId());
      if (i != null && i.state() == InstanceState.RUNNING) {
        draining.put(t.instanceId(), drainSteps);
      } else {
        now.add(t);
      }
    }
    return new Plan(
        plan.launches(), now, plan.intents(), plan.lookups(), plan.observed(), plan.notes());
  }

  private PlanInput gated(PlanInput in) {
    InstanceChecks view = new InstanceChecks(in);
    List<Instance> live = in.instances().stream().filter(i -> i.state().isLive()).toList();
    gate =
        CheckpointGate.decide(
            checkpoints,
            recorded,
            new CheckpointGate.Counts(
                in.replicas(),
                (int) live.stream().filter(i -> view.current(i) && view.available(i)).count(),
                (int) live.stream().filter(i -> !view.current(i) && !i.isProtected()).count(),
                in.policy().paused()),
            in.now());
    recorded = gate.recorded();
    return in.withFreshCap(gate.cap());
  }

  /**
   * Steps until a plan has nothing to do, nothing in flight and nothing pending; returns one line
   * per plan before that one.
   */
  List<String> run(int maxSteps) {
    List<String> trace = new ArrayList<>();
    for (int n = 0; n < maxSteps; n++) {
      Plan plan = step();
      if (settled && !changeScheduled()) {
        return trace;
      }
      trace.add(describe(plan));
    }
    throw new AssertionError(
        "not settled in " + maxSteps + " steps; so far " + trace + "\n" + cloud.instances());
  }

  /** Whether a scale or the end of an avoidance is still to come at the next step or later. */
  private boolean changeScheduled() {
    return scaleAt.keySet().stream().anyMatch(s -> s >= step)
        || (avoidUntil != Integer.MAX_VALUE && step <= avoidUntil);
  }

  /**
   * Whether the last plan had nothing to do, nothing in flight, and nothing about to change on its
   * own: an ideal cloud stays as it is from then on.
   */
  boolean settled() {
    return settled;
  }

  /** Live instances available as the next plan will count them. */
  int available() {
    InstanceChecks view = new InstanceChecks(input());
    return (int) live().stream().filter(view::available).count();
  }

  /** Live (pending or running) owned instances. */
  List<Instance> live() {
    return cloud.instances().stream().filter(i -> i.state().isLive()).toList();
  }

  boolean isCurrent(Instance i) {
    return new InstanceChecks(input()).current(i);
  }

  /** An instance dies on its own: terminated (spot interruption, a person) or stopped. */
  void fail(String id, InstanceState state) {
    cloud.set(id, state);
  }

  static String describe(Plan plan) {
    List<String> parts = new ArrayList<>();
    for (Launch l : plan.newLaunches()) {
      parts.add(
          "launch "
              + l.subnetId().replace("subnet-", "")
              + (l.count() == 1 ? "" : "×" + l.count()));
    }
    for (Termination t : plan.terminations()) {
      parts.add(
          switch (t.reason()) {
                case ROLLOUT -> "rollout ";
                case SCALE_IN -> "scale-in ";
                case STOPPED -> "replace stopped ";
                case UNHEALTHY -> "replace unhealthy ";
                case INTERRUPTED -> "interrupted ";
              }
              + t.instanceId());
    }
    return parts.isEmpty() ? "wait" : String.join(", ", parts);
  }

  /**
   * The rollout guarantees for one plan: launches never take live plus launching past replicas +
   * maxSurge; a rolling update's terminations never take available instances below replicas −
   * maxUnavailable (or below what was available); protected instances are never terminated;
   * Recreate launches nothing while an old instance may still be live.
   */
  static void checkBounds(PlanInput in, Plan plan) {
    InstanceChecks view = new InstanceChecks(in);
    List<Instance> owned = in.instances().stream().filter(view::owned).toList();
    List<Instance> live = owned.stream().filter(i -> i.state().isLive()).toList();
    Map<String, Long> seen = Intent.seenByToken(owned);
    Set<String> given = in.intents().stream().map(Intent::token).collect(Collectors.toSet());
    List<Intent> inFlight = plan.intents().stream().filter(i -> given.contains(i.token())).toList();
    long unseen = inFlight.stream().mapToLong(i -> i.unseen(seen)).sum();
    int added = plan.newLaunches().stream().mapToInt(Launch::count).sum();
    int ceiling = in.replicas() + in.policy().bounds().maxSurge();
    Map<String, Instance> byId = owned.stream().collect(Collectors.toMap(Instance::id, i -> i));
    List<Instance> victims =
        plan.terminations().stream().map(t -> byId.get(t.instanceId())).toList();
    // instances replaced for health go in the same plan that launches their replacements
    long replaced =
        plan.terminations().stream()
            .filter(t -> t.reason() == Termination.Reason.UNHEALTHY)
            .count();
    assertThat(live.size() - replaced + unseen + added)
        .as("live + launching after the plan")
        .isLessThanOrEqualTo(Math.max(ceiling, live.size() + unseen));

    assertThat(victims)
        .as("protected instances are never terminated")
        .noneMatch(Instance::isProtected);
    boolean rolling =
        in.policy().strategy() == Policy.Strategy.ROLLING_UPDATE && !in.policy().paused();
    if (rolling) {
      long available = live.stream().filter(view::available).count();
      long availableVictims = victims.stream().filter(view::available).count();
      long floor = Math.min(available, in.replicas() - in.policy().bounds().maxUnavailable());
      assertThat(available - availableVictims)
          .as("available after the plan's terminations")
          .isGreaterThanOrEqualTo(floor);
    }
    if (in.policy().strategy() == Policy.Strategy.RECREATE && !in.policy().paused() && added > 0) {
      assertThat(live)
          .as("Recreate: no old instance live when launching")
          .allMatch(i -> view.current(i) || i.isProtected());
      assertThat(inFlight)
          .as("Recreate: no old launch in flight when launching")
          .allMatch(i -> i.revision().equals(in.revision()));
    }
  }

  @Override
  public String toString() {
    return "replicas "
        + replicas
        + " "
        + subnets
        + " "
        + cloud.instances().stream().map(Instance::id).toList();
  }
}
