package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.CLUSTER;
import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.RETRY_AFTER;
import static dev.serverfleet.operator.planning.PlanFixtures.REV;
import static dev.serverfleet.operator.planning.PlanFixtures.UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.PlanFixtures.Foreign;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random fleets: 0..40 instances in any state across 1..4 subnets (and one the spec does not list),
 * some foreign, intents fulfilled or not, replicas 0..30, any moment.
 */
class FleetPlannerPropertiesTest {
  private static final List<String> SUBNETS =
      List.of("subnet-a", "subnet-b", "subnet-c", "subnet-d");

  /**
   * Longer than retryAfter, as long as the visibility deadline: every intent is retried or settled
   * within a few steps.
   */
  private static final Duration STEP = Duration.ofMinutes(5);

  /** Enough for the slowest path: one unhealthy replacement per step when replicas is small. */
  private static final int MAX_STEPS = 50;

  @Property(tries = 1000)
  void neverSelectsNorCountsAForeignInstance(@ForAll("fleets") Fleet fleet) {
    PlanInput in = fleet.input();
    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.terminations())
        .extracting(Termination::instanceId)
        .allSatisfy(id -> assertThat(fleet.ownedIds()).contains(id));
    assertThat(plan)
        .as("same plan without the foreign instances")
        .isEqualTo(FleetPlanner.plan(fleet.withoutForeign().input()));
    for (Intent given : in.intents()) {
      boolean fulfilled = plan.intents().stream().noneMatch(i -> i.token().equals(given.token()));
      if (fulfilled) {
        assertThat(fleet.owned())
            .as("dropped %s only when an owned instance carries its token", given.token())
            .anyMatch(i -> given.token().equals(i.tag(OwnershipTags.LAUNCH)));
      }
    }
  }

  @Property(tries = 1000)
  void neverLaunchesPastReplicas(@ForAll("fleets") Fleet fleet) {
    PlanInput in = fleet.input();
    Plan plan = FleetPlanner.plan(in);

    int live = fleet.live().size();
    int inFlight = fleet.inFlight().stream().mapToInt(Intent::count).sum();
    int added = plan.newLaunches().stream().mapToInt(Launch::count).sum();
    // A rolling update may surge past replicas, never past replicas + maxSurge.
    int ceiling = in.replicas() + in.policy().bounds().maxSurge();
    assertThat(live + inFlight + added).isLessThanOrEqualTo(Math.max(ceiling, live + inFlight));
    assertThat(plan.launches()).allSatisfy(l -> assertThat(l.count()).isPositive());
    for (Launch retry : plan.launches().stream().filter(Launch::retry).toList()) {
      Intent was =
          in.intents().stream()
              .filter(i -> i.token().equals(retry.token()))
              .findFirst()
              .orElseThrow();
      assertThat(was.revision()).isEqualTo(in.revision());
      assertThat(Duration.between(was.createdAt(), in.now())).isGreaterThanOrEqualTo(RETRY_AFTER);
      assertThat(plan.intents()).extracting(Intent::token).contains(was.token());
    }
    FleetPlannerTest.assertInvariants(in, plan);
  }

  @Property(tries = 1000)
  void terminatesOnlyOwnedInstancesOnceAndNeverTooMany(@ForAll("fleets") Fleet fleet) {
    Plan plan = FleetPlanner.plan(fleet.input());

    Map<String, Instance> owned =
        fleet.owned().stream().collect(Collectors.toMap(Instance::id, i -> i));
    assertThat(plan.terminations()).extracting(Termination::instanceId).doesNotHaveDuplicates();
    PlanInput in = fleet.input();
    for (Termination t : plan.terminations()) {
      Instance victim = owned.get(t.instanceId());
      assertThat(victim).isNotNull();
      assertThat(victim.state().isGone()).isFalse();
      boolean outdated =
          !in.revision().equals(victim.tag(OwnershipTags.REVISION))
              || !in.subnetIds().contains(victim.subnetId());
      assertThat(t.reason())
          .isEqualTo(
              victim.state().isStopped()
                  ? Termination.Reason.STOPPED
                  : outdated ? Termination.Reason.ROLLOUT : Termination.Reason.SCALE_IN);
    }
    // Deployment's guarantee: terminations never take available instances below
    // replicas - maxUnavailable (or below what was available, if that was already less).
    InstanceChecks view = new InstanceChecks(in);
    long available = fleet.live().stream().filter(view::available).count();
    long availableVictims =
        plan.terminations().stream()
            .map(t -> owned.get(t.instanceId()))
            .filter(view::available)
            .count();
    long floor = Math.min(available, in.replicas() - in.policy().bounds().maxUnavailable());
    assertThat(available - availableVictims)
        .as("available after terminations")
        .isGreaterThanOrEqualTo(floor);
    // Scale-in is counted on live instances: never below replicas because of launches in flight.
    long scaleIn =
        plan.terminations().stream().filter(t -> t.reason() == Termination.Reason.SCALE_IN).count();
    long liveCurrent = fleet.live().stream().filter(view::current).count();
    if (scaleIn > 0) {
      assertThat(liveCurrent - scaleIn)
          .isGreaterThanOrEqualTo(Math.min(liveCurrent, in.replicas()) - 0);
    }
  }

  @Property(tries = 500)
  void convergesWithAnIdealCloudAndLeavesForeignInstancesAlone(@ForAll("fleets") Fleet start) {
    Fleet end = converge(start.withoutAvoid());

    assertThat(end.live()).hasSize(start.replicas());
    Map<String, Instance> after =
        end.instances().stream().collect(Collectors.toMap(Instance::id, i -> i));
    start.instances().stream()
        .filter(i -> !start.isOwned(i))
        .forEach(i -> assertThat(after.get(i.id())).as("foreign %s", i.id()).isEqualTo(i));
  }

  @Property(tries = 500)
  void convergesBalancedFromNoLiveInstances(@ForAll("fleetsWithoutLiveOrIntents") Fleet start) {
    assertBalanced(converge(start));
  }

  @Property(tries = 300)
  void staysBalancedAcrossScaling(
      @ForAll @IntRange(min = 1, max = 4) int subnets,
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 30) Integer> replicasOverTime) {
    Fleet fleet =
        new Fleet(0, SUBNETS.subList(0, subnets), List.of(), List.of(), Set.of(), PlanFixtures.T0);
    for (int replicas : replicasOverTime) {
      fleet = converge(fleet.withReplicas(replicas));
      assertThat(fleet.live()).hasSize(replicas);
      assertBalanced(fleet);
    }
  }

  @Property(tries = 500)
  void convergesBalancedFromAnyStart(@ForAll("fleets") Fleet start) {
    assertBalanced(converge(start.withoutAvoid()));
  }

  // ---- simulation ----

  /**
   * Applies plans to an ideal cloud until there is nothing to do; fails after {@link #MAX_STEPS}.
   */
  private static Fleet converge(Fleet fleet) {
    IdealCloud cloud = new IdealCloud(fleet.instances(), fleet::isOwned);
    for (int step = 0; step < MAX_STEPS; step++) {
      Plan plan = FleetPlanner.plan(fleet.input());
      // settled: nothing to do, nothing in flight, and nothing still starting (a pending instance
      // may yet make the planner move, e.g. to rebalance once it runs)
      if (plan.isEmpty()
          && plan.intents().isEmpty()
          && fleet.live().size() == fleet.replicas()
          && fleet.live().stream().allMatch(i -> i.state() == InstanceState.RUNNING)) {
        return fleet;
      }
      List<Intent> ledger = cloud.apply(plan, fleet.now());
      fleet = fleet.next(cloud.instances(), ledger, fleet.now().plus(STEP));
    }
    throw new AssertionError(
        "no convergence in "
            + MAX_STEPS
            + " steps: "
            + fleet
            + "\nlast plan: "
            + FleetPlanner.plan(fleet.input()));
  }

  private static void assertBalanced(Fleet fleet) {
    Map<String, Integer> perSubnet = new LinkedHashMap<>();
    fleet.subnets().forEach(s -> perSubnet.put(s, 0));
    fleet.live().forEach(i -> perSubnet.merge(i.subnetId(), 1, Integer::sum));
    assertThat(perSubnet.keySet())
        .as("live only in listed subnets")
        .containsExactlyElementsOf(fleet.subnets());
    int max = perSubnet.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    int min = perSubnet.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    assertThat(max - min).as("balance of %s", perSubnet).isLessThanOrEqualTo(1);
  }

  // ---- generators ----

  /**
   * A fleet as the planner would see it; built into a {@link PlanInput} by {@link PlanFixtures}.
   */
  record Fleet(
      int replicas,
      List<String> subnets,
      List<Instance> instances,
      List<Intent> intents,
      Set<String> avoid,
      Instant now) {

    PlanInput input() {
      return PlanFixtures.input()
          .replicas(replicas)
          .subnets(subnets)
          .instances(instances)
          .intents(intents)
          .avoid(avoid)
          .now(now)
          .build();
    }

    boolean isOwned(Instance i) {
      return i.ownedBy(CLUSTER, UID);
    }

    List<Instance> owned() {
      return instances.stream().filter(this::isOwned).toList();
    }

    Set<String> ownedIds() {
      return owned().stream().map(Instance::id).collect(Collectors.toSet());
    }

    List<Instance> live() {
      return owned().stream().filter(i -> i.state().isLive()).toList();
    }

    /** Intents not fulfilled by an owned instance. */
    List<Intent> inFlight() {
      Set<String> seen =
          owned().stream().map(i -> i.tag(OwnershipTags.LAUNCH)).collect(Collectors.toSet());
      return intents.stream().filter(i -> !seen.contains(i.token())).toList();
    }

    Fleet withoutForeign() {
      return next(owned(), intents, now);
    }

    Fleet withoutAvoid() {
      return new Fleet(replicas, subnets, instances, intents, Set.of(), now);
    }

    Fleet withReplicas(int newReplicas) {
      return new Fleet(newReplicas, subnets, instances, intents, avoid, now);
    }

    Fleet next(List<Instance> newInstances, List<Intent> newIntents, Instant newNow) {
      return new Fleet(replicas, subnets, newInstances, newIntents, avoid, newNow);
    }

    /** One line per instance and intent, so that a shrunk sample reads at a glance. */
    @Override
    public String toString() {
      StringBuilder b =
          new StringBuilder(
              "replicas=" + replicas + " subnets=" + subnets + " avoid=" + avoid + " now=" + now);
      for (Instance i : instances) {
        b.append("\n  ")
            .append(i.id())
            .append(' ')
            .append(i.state())
            .append(' ')
            .append(i.subnetId())
            .append(isOwned(i) ? " owned " : " foreign ")
            .append(i.tag(OwnershipTags.REVISION))
            .append(" launch=")
            .append(i.tag(OwnershipTags.LAUNCH))
            .append(" age=")
            .append(i.launchTime() == null ? "?" : Duration.between(i.launchTime(), now));
      }
      for (Intent i : intents) {
        b.append("\n  intent ")
            .append(i.token())
            .append(' ')
            .append(i.subnetId())
            .append(" x")
            .append(i.count())
            .append(' ')
            .append(i.revision())
            .append(" age=")
            .append(Duration.between(i.createdAt(), now));
      }
      return b.toString();
    }
  }

  enum Owner {
    OWNED,
    NO_TAGS,
    OTHER_CLUSTER,
    OTHER_FLEET
  }

  /**
   * @param subnet 0..3 picks a listed subnet (modulo how many), 4 one the spec does not list
   */
  record InstanceSeed(
      InstanceState state,
      int subnet,
      int ageMinutes,
      Owner owner,
      boolean oldRevision,
      int token) {}

  record IntentSeed(int subnet, int count, boolean oldRevision, int ageSeconds) {}

  @Provide
  Arbitrary<Fleet> fleets() {
    return fleets(true);
  }

  @Provide
  Arbitrary<Fleet> fleetsWithoutLiveOrIntents() {
    return fleets(false).map(f -> f.withoutAvoid().next(f.instances(), List.of(), f.now()));
  }

  private static Arbitrary<Fleet> fleets(boolean ownedMayBeLive) {
    Arbitrary<InstanceSeed> instance =
        Combinators.combine(
                Arbitraries.of(InstanceState.class),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(-1, 24 * 60), // -1: launch time not known yet
                Arbitraries.frequency(
                    Tuple.of(7, Owner.OWNED),
                    Tuple.of(1, Owner.NO_TAGS),
                    Tuple.of(1, Owner.OTHER_CLUSTER),
                    Tuple.of(1, Owner.OTHER_FLEET)),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)),
                Arbitraries.integers().between(-4, 5)) // negative: no launch token
            .as(InstanceSeed::new);
    Arbitrary<IntentSeed> intent =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(1, 5),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)),
                Arbitraries.integers().between(0, 15 * 60))
            .as(IntentSeed::new);
    return Combinators.combine(
            Arbitraries.integers().between(1, 4),
            Arbitraries.integers().between(0, 30),
            Arbitraries.longs()
                .between(
                    Instant.parse("2020-01-01T00:00:00Z").toEpochMilli(),
                    Instant.parse("2035-01-01T00:00:00Z").toEpochMilli()),
            instance.list().ofMaxSize(40),
            intent.list().ofMaxSize(6),
            Arbitraries.integers().between(0, 15))
        .as(
            (subnets, replicas, now, instances, intents, avoid) ->
                build(
                    subnets,
                    replicas,
                    Instant.ofEpochMilli(now),
                    instances,
                    intents,
                    avoid,
                    ownedMayBeLive));
  }

  private static Fleet build(
      int subnetCount,
      int replicas,
      Instant now,
      List<InstanceSeed> instanceSeeds,
      List<IntentSeed> intentSeeds,
      int avoidMask,
      boolean ownedMayBeLive) {
    List<String> subnets = SUBNETS.subList(0, subnetCount);
    List<Intent> intents = new ArrayList<>();
    for (IntentSeed s : intentSeeds) {
      intents.add(
          new Intent(
              "tok-" + intents.size(),
              subnets.get(s.subnet() % subnetCount),
              s.count(),
              s.oldRevision() ? OLD_REV : REV,
              now.minusSeconds(s.ageSeconds())));
    }
    List<Instance> instances = new ArrayList<>();
    for (InstanceSeed s : instanceSeeds) {
      InstanceState state =
          !ownedMayBeLive && s.owner() == Owner.OWNED && s.state().isLive()
              ? InstanceState.STOPPED
              : s.state();
      String subnet = s.subnet() == 4 ? "subnet-x" : subnets.get(s.subnet() % subnetCount);
      Instant launchTime =
          s.ageMinutes() < 0 ? null : now.minus(Duration.ofMinutes(s.ageMinutes()));
      Instance i =
          PlanFixtures.owned(String.format("i-%02d", instances.size()), state, subnet, launchTime);
      if (s.oldRevision()) {
        i = PlanFixtures.revision(i, OLD_REV);
      }
      if (s.token() >= 0 && !intents.isEmpty()) {
        i = PlanFixtures.launchedBy(i, "tok-" + (s.token() % intents.size()));
      }
      instances.add(
          switch (s.owner()) {
            case OWNED -> i;
            case NO_TAGS -> PlanFixtures.foreign(i, Foreign.NO_TAGS);
            case OTHER_CLUSTER -> PlanFixtures.foreign(i, Foreign.OTHER_CLUSTER);
            case OTHER_FLEET -> PlanFixtures.foreign(i, Foreign.OTHER_FLEET);
          });
    }
    Set<String> avoid = new HashSet<>();
    for (int b = 0; b < subnetCount; b++) {
      if ((avoidMask & (1 << b)) != 0) {
        avoid.add(subnets.get(b));
      }
    }
    return new Fleet(replicas, subnets, instances, intents, avoid, now);
  }
}
