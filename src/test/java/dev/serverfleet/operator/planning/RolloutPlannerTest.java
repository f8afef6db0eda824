package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.health;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.intent;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.oldIntent;
import static dev.serverfleet.operator.planning.PlanFixtures.pending;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.protect;
import static dev.serverfleet.operator.planning.PlanFixtures.revision;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static dev.serverfleet.operator.planning.PlanFixtures.stopped;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rollouts one plan at a time: each case's launches, terminations and notes, with every plan
 * checked against the rollout's bounds by {@link RolloutSim#checkBounds}. Whole runs are in {@link
 * RolloutTraceTest}.
 */
class RolloutPlannerTest {
  private static final Instant SECONDS_AGO = T0.minusSeconds(10);
  static final String NEW_REV = "rev-restarted";

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "rolling",
    "recreate",
    "paused",
    "protection",
    "scaleDownOrder",
    "minReady",
    "healthChecks",
    "subnets",
    "rebalance"
  })
  void plans(PlanInput in, Expect expect) {
    Plan plan = FleetPlanner.plan(in);

    Map<String, Integer> launched = new LinkedHashMap<>();
    for (Launch l : plan.newLaunches()) {
      assertThat(launched.put(l.subnetId(), l.count())).as("one launch per subnet: %s", l).isNull();
      assertThat(l.revision())
          .as("launches are always of the current revision")
          .isEqualTo(in.revision());
    }
    assertThat(launched).as("new launches by subnet").isEqualTo(expect.launches);
    assertThat(plan.launches())
        .as("no retries in these cases")
        .allSatisfy(l -> assertThat(l.retry()).isFalse());
    assertThat(plan.terminations())
        .extracting(t -> t.instanceId() + " " + t.reason())
        .as("terminations, in order")
        .containsExactlyElementsOf(expect.terminated);
    Set<String> given = in.intents().stream().map(Intent::token).collect(Collectors.toSet());
    assertThat(plan.intents().stream().map(Intent::token).filter(given::contains))
        .as("intents kept")
        .containsExactlyElementsOf(expect.kept);
    assertThat(plan.lookups())
        .extracting(Intent::token)
        .as("looked up")
        .containsExactlyElementsOf(expect.lookedUp);
    assertThat(plan.notes())
        .isEqualTo(new Plan.Notes(expect.unhealthyDeferred, expect.protectedOutdated));
    RolloutSim.checkBounds(in, plan);
    FleetPlannerTest.assertInvariants(in, plan);
  }

  static Stream<Arguments> rolling() {
    return Stream.of(
        c(
            "surge 1/unavailable 0: one launch, nothing terminated yet",
            input()
                .replicas(4)
                .instances(old("o-1", 40), old("o-2", 30), old("o-3", 20), old("o-4", 10))
                .policy(policy().rolling(1, 0)),
            expect().launch("subnet-a", 1)),
        c(
            "surge 1/unavailable 0: waits while the new one is pending",
            input()
                .replicas(4)
                .instances(
                    old("o-1", 40),
                    old("o-2", 30),
                    old("o-3", 20),
                    old("o-4", 10),
                    pending("n-1", "subnet-a", T0))
                .policy(policy().rolling(1, 0)),
            expect()),
        c(
            "surge 1/unavailable 0: the new one runs, the newest old goes",
            input()
                .replicas(4)
                .instances(
                    old("o-1", 40), old("o-2", 30), old("o-3", 20), old("o-4", 10), cur("n-1", 1))
                .policy(policy().rolling(1, 0)),
            expect().rollout("o-4")),
        c(
            "surge 0/unavailable 1: terminates first, launches nothing",
            input()
                .replicas(4)
                .instances(old("o-1", 40), old("o-2", 30), old("o-3", 20), old("o-4", 10))
                .policy(policy().rolling(0, 1)),
            expect().rollout("o-4")),
        c(
            "surge 0/unavailable 1: below replicas, launches one",
            input()
                .replicas(4)
                .instances(old("o-1", 40), old("o-2", 30), old("o-3", 20))
                .policy(policy().rolling(0, 1)),
            expect().launch("subnet-a", 1)),
        c(
            "surge 2/unavailable 2: launches two and terminates two at once",
            input()
                .replicas(4)
                .instances(old("o-1", 40), old("o-2", 30), old("o-3", 20), old("o-4", 10))
                .policy(policy().rolling(2, 2)),
            expect().launch("subnet-a", 2).rollout("o-4", "o-3")),
        c(
            "a launch in flight counts toward surge",
            input()
                .replicas(2)
                .instances(old("o-1", 40), old("o-2", 30))
                .intents(intent("tok-1", "subnet-a", 1, SECONDS_AGO))
                .policy(policy().rolling(1, 0)),
            expect().keep("tok-1")),
        c(
            "an old launch in flight counts toward surge and is not replaced early",
            input()
                .replicas(2)
                .instances(old("o-1", 40), cur("n-1", 5))
                .intents(oldIntent("tok-1", "subnet-a", 1, SECONDS_AGO))
                .policy(policy().rolling(1, 0)),
            expect().keep("tok-1")),
        c(
            "unavailable old instances beyond replicas go without budget",
            input()
                .replicas(2)
                .instances(
                    revision(pending("o-1", "subnet-a", minutesAgo(1)), OLD_REV),
                    old("o-2", 30),
                    cur("n-1", 5),
                    cur("n-2", 4))
                .policy(policy().rolling(1, 0)),
            expect().rollout("o-1", "o-2")));
  }

  static Stream<Arguments> recreate() {
    return Stream.of(
        c(
            "every old instance goes at once, nothing is launched",
            input()
                .replicas(3)
                .instances(old("o-1", 30), old("o-2", 10), old("o-3", 20))
                .policy(policy().recreate()),
            expect().rollout("o-2", "o-3", "o-1")),
        c(
            "current ones stay while old ones go",
            input()
                .replicas(3)
                .instances(old("o-1", 30), cur("n-1", 10))
                .policy(policy().recreate()),
            expect().rollout("o-1")),
        c(
            "an old launch in flight: no launch until it has appeared and gone",
            input()
                .replicas(2)
                .intents(oldIntent("tok-1", "subnet-a", 2, SECONDS_AGO))
                .policy(policy().recreate()),
            expect().keep("tok-1")),
        c(
            "an old launch in flight and an old instance: the instance goes, still no launch",
            input()
                .replicas(2)
                .instances(old("o-1", 30))
                .intents(oldIntent("tok-1", "subnet-a", 1, SECONDS_AGO))
                .policy(policy().recreate()),
            expect().rollout("o-1").keep("tok-1")),
        c(
            "an old launch of unknown outcome holds the new ones back only until a lookup settles it",
            input()
                .replicas(2)
                .intents(oldIntent("tok-1", "subnet-a", 2, minutesAgo(11)))
                .policy(policy().recreate()),
            expect().lookUp("tok-1")),
        c(
            "no old left: launches the rest at once",
            input()
                .replicas(3)
                .instances(pending("n-1", "subnet-a", T0))
                .policy(policy().recreate()),
            expect().launch("subnet-a", 2)),
        c(
            "no old left: scales in current ones beyond replicas",
            input()
                .replicas(1)
                .instances(cur("n-1", 20), cur("n-2", 10))
                .policy(policy().recreate()),
            expect().scaleIn("n-2")),
        c(
            "a stopped old instance is replaced for health, the others rolled",
            input()
                .replicas(2)
                .instances(
                    revision(stopped("o-1", "subnet-a", minutesAgo(30)), OLD_REV), old("o-2", 20))
                .policy(policy().recreate()),
            expect().terminate("o-1", Termination.Reason.STOPPED).rollout("o-2")));
  }

  static Stream<Arguments> paused() {
    return Stream.of(
        c(
            "old instances stay",
            input()
                .replicas(3)
                .instances(old("o-1", 30), old("o-2", 20), old("o-3", 10))
                .policy(policy().paused()),
            expect()),
        c(
            "scale up launches the current revision",
            input()
                .replicas(5)
                .instances(old("o-1", 30), old("o-2", 20), old("o-3", 10))
                .policy(policy().paused()),
            expect().launch("subnet-a", 2)),
        c(
            "scale down: outdated first, newest first, as scale-in",
            input()
                .replicas(1)
                .instances(old("o-1", 60), old("o-2", 30), cur("n-1", 10))
                .policy(policy().paused()),
            expect().scaleIn("o-2", "o-1")),
        c(
            "an old launch in flight counts, no extra launch",
            input()
                .replicas(2)
                .instances(old("o-1", 30))
                .intents(oldIntent("tok-1", "subnet-a", 1, SECONDS_AGO))
                .policy(policy().paused()),
            expect().keep("tok-1")),
        c(
            "a stopped instance is still replaced",
            input()
                .replicas(2)
                .instances(
                    old("o-1", 30), revision(stopped("o-2", "subnet-a", minutesAgo(20)), OLD_REV))
                .policy(policy().paused()),
            expect().terminate("o-2", Termination.Reason.STOPPED).launch("subnet-a", 1)),
        c(
            "Recreate paused: nothing is terminated",
            input()
                .replicas(2)
                .instances(old("o-1", 30), old("o-2", 20))
                .policy(policy().recreate().paused()),
            expect()));
  }

  static Stream<Arguments> protection() {
    return Stream.of(
        c(
            "a protected old instance is kept, counted, and the rollout aims for the rest",
            input()
                .replicas(3)
                .instances(protect(old("o-1", 30)), old("o-2", 20), cur("n-1", 5), cur("n-2", 4)),
            expect().rollout("o-2").protectedOutdated(1)),
        c(
            "only protected old instances left: nothing to do but wait",
            input().replicas(3).instances(protect(old("o-1", 30)), cur("n-1", 5), cur("n-2", 4)),
            expect().protectedOutdated(1)),
        c(
            "protected old instances beyond replicas: kept, the unprotected one scaled in (as an ASG would)",
            input()
                .replicas(1)
                .instances(protect(old("o-1", 30)), protect(old("o-2", 20)), cur("n-1", 5)),
            expect().scaleIn("n-1").protectedOutdated(2)),
        c(
            "a protected current instance is not a scale-in victim",
            input().replicas(1).instances(cur("n-1", 30), protect(cur("n-2", 5))),
            expect().scaleIn("n-1")),
        c(
            "replicas 0 and every instance protected: nothing terminated",
            input().replicas(0).instances(protect(cur("n-1", 30)), protect(old("o-1", 30))),
            expect().protectedOutdated(1)),
        c(
            "Recreate: protected old kept, the others go",
            input()
                .replicas(2)
                .instances(protect(old("o-1", 30)), old("o-2", 20))
                .policy(policy().recreate()),
            expect().rollout("o-2").protectedOutdated(1)),
        c(
            "Recreate: only protected old left, launches replicas minus protected",
            input().replicas(3).instances(protect(old("o-1", 30))).policy(policy().recreate()),
            expect().launch("subnet-a", 2).protectedOutdated(1)),
        c(
            "paused: protected old instances are still reported",
            input()
                .replicas(2)
                .instances(protect(old("o-1", 30)), old("o-2", 20))
                .policy(policy().paused()),
            expect().protectedOutdated(1)),
        c(
            "paused scale-in skips a protected instance",
            input()
                .replicas(1)
                .instances(protect(old("o-1", 30)), old("o-2", 20))
                .policy(policy().paused()),
            expect().scaleIn("o-2").protectedOutdated(1)));
  }

  static Stream<Arguments> scaleDownOrder() {
    Instance[] three = {cur("i-1", 30), cur("i-2", 10), cur("i-3", 20)};
    Instance[] threeOld = {old("o-1", 30), old("o-2", 10), old("o-3", 20)};
    return Stream.of(
        c(
            "NewestFirst: scale-in",
            input().replicas(1).instances(three),
            expect().scaleIn("i-2", "i-3")),
        c(
            "OldestFirst: scale-in",
            input().replicas(1).instances(three).policy(policy().oldestFirst()),
            expect().scaleIn("i-1", "i-3")),
        c(
            "NewestFirst: rollout",
            input().replicas(3).instances(threeOld).policy(policy().rolling(0, 1)),
            expect().rollout("o-2")),
        c(
            "OldestFirst: rollout",
            input().replicas(3).instances(threeOld).policy(policy().rolling(0, 1).oldestFirst()),
            expect().rollout("o-1")),
        c(
            "OldestFirst: a pending one still goes before older running ones",
            input()
                .replicas(1)
                .instances(cur("i-1", 30), pending("i-2", "subnet-a", minutesAgo(1)))
                .policy(policy().oldestFirst()),
            expect().scaleIn("i-2")),
        c(
            "OldestFirst: zone balance still comes first",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    cur("i-1", 60), running("i-2", "subnet-b", minutesAgo(50)), cur("i-3", 5))
                .policy(policy().oldestFirst()),
            expect().scaleIn("i-1")));
  }

  static Stream<Arguments> minReady() {
    PlanFixtures.PolicyBuilder oneMinute = policy().rolling(1, 0).minReady(Duration.ofSeconds(60));
    return Stream.of(
        c(
            "ready for less than minReady: not available, the old one stays",
            input()
                .replicas(1)
                .instances(old("o-1", 60), cur("n-1", 5))
                .readySince("o-1", minutesAgo(59))
                .readySince("n-1", T0.minusSeconds(59))
                .policy(oneMinute),
            expect()),
        c(
            "ready for exactly minReady: available, the old one goes",
            input()
                .replicas(1)
                .instances(old("o-1", 60), cur("n-1", 5))
                .readySince("o-1", minutesAgo(59))
                .readySince("n-1", T0.minusSeconds(60))
                .policy(oneMinute),
            expect().rollout("o-1")),
        c(
            "first seen ready now: not available when minReady > 0",
            input()
                .replicas(1)
                .instances(old("o-1", 60), cur("n-1", 5))
                .readySince("o-1", minutesAgo(59))
                .policy(oneMinute),
            expect()),
        c(
            "first seen ready now: available when minReady is 0",
            input()
                .replicas(1)
                .instances(old("o-1", 60), cur("n-1", 5))
                .policy(policy().rolling(1, 0)),
            expect().rollout("o-1")),
        c(
            "readySince of a pending instance means nothing",
            input()
                .replicas(1)
                .instances(old("o-1", 60), pending("n-1", "subnet-a", minutesAgo(5)))
                .readySince("o-1", minutesAgo(59))
                .readySince("n-1", minutesAgo(5))
                .policy(oneMinute),
            expect()));
  }

  static Stream<Arguments> healthChecks() {
    PlanFixtures.PolicyBuilder checks = policy().statusChecks(Duration.ofMinutes(5), 20);
    List<Instance> tenWithFiveImpaired = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      Instance i = running("i-" + n, "subnet-a", minutesAgo(60 - n));
      tenWithFiveImpaired.add(health(i, n % 2 == 0 ? Health.IMPAIRED : Health.OK));
    }
    return Stream.of(
        c(
            "impaired past the grace period: replaced",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    ok(running("i-1", "subnet-a", minutesAgo(60))),
                    health(running("i-2", "subnet-b", minutesAgo(10)), Health.IMPAIRED))
                .policy(checks),
            expect().unhealthy("i-2").launch("subnet-b", 1)),
        c(
            "impaired exactly at the end of the grace period: replaced",
            input().replicas(1).instances(health(cur("i-1", 5), Health.IMPAIRED)).policy(checks),
            expect().unhealthy("i-1").launch("subnet-a", 1)),
        c(
            "impaired within the grace period: left alone",
            input()
                .replicas(1)
                .instances(
                    health(running("i-1", "subnet-a", T0.minusSeconds(299)), Health.IMPAIRED))
                .policy(checks),
            expect()),
        c(
            "impaired without status checks: running is ready, left alone",
            input().replicas(1).instances(health(cur("i-1", 60), Health.IMPAIRED)),
            expect()),
        c(
            "initializing long after launch: not ready, not unhealthy",
            input()
                .replicas(1)
                .instances(health(cur("i-1", 60), Health.INITIALIZING))
                .policy(checks),
            expect()),
        c(
            "stopped: replaced with reason STOPPED",
            input()
                .replicas(1)
                .instances(stopped("i-1", "subnet-a", minutesAgo(60)))
                .policy(checks),
            expect().stopped("i-1").launch("subnet-a", 1)),
        c(
            "stopped old revision: STOPPED, not ROLLOUT",
            input()
                .replicas(1)
                .instances(revision(stopped("o-1", "subnet-a", minutesAgo(60)), OLD_REV)),
            expect().stopped("o-1").launch("subnet-a", 1)),
        c(
            "cap: 20% of 10 is 2, the oldest go, 3 deferred",
            input().replicas(10).instances(tenWithFiveImpaired).policy(checks),
            expect().unhealthy("i-0", "i-2").launch("subnet-a", 2).deferred(3)),
        c(
            "cap is at least one",
            input()
                .replicas(3)
                .instances(
                    health(cur("i-1", 60), Health.IMPAIRED),
                    health(cur("i-2", 50), Health.IMPAIRED),
                    ok(cur("i-3", 40)))
                .policy(checks),
            expect().unhealthy("i-1").launch("subnet-a", 1).deferred(1)),
        c(
            "stopped before impaired, whatever the age",
            input()
                .replicas(3)
                .instances(
                    health(cur("i-1", 60), Health.IMPAIRED),
                    stopped("i-2", "subnet-a", minutesAgo(10)),
                    ok(cur("i-3", 40)))
                .policy(checks),
            expect().stopped("i-2").launch("subnet-a", 1).deferred(1)),
        c(
            "cap 100%: all replaced at once",
            input()
                .replicas(3)
                .instances(
                    health(cur("i-1", 60), Health.IMPAIRED),
                    health(cur("i-2", 50), Health.IMPAIRED),
                    ok(cur("i-3", 40)))
                .policy(policy().statusChecks(Duration.ofMinutes(5), 100)),
            expect().unhealthy("i-1", "i-2").launch("subnet-a", 2)),
        c(
            "stopped instances count against the cap without status checks too",
            input()
                .replicas(5)
                .instances(
                    stopped("i-1", "subnet-a", minutesAgo(60)),
                    stopped("i-2", "subnet-a", minutesAgo(50)),
                    cur("i-3", 40),
                    cur("i-4", 30),
                    cur("i-5", 20)),
            expect().stopped("i-1").launch("subnet-a", 2).deferred(1)));
  }

  static Stream<Arguments> subnets() {
    return Stream.of(
        c(
            "an instance in a subnet removed from spec: replacement launched first",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(cur("i-1", 60), running("x-1", "subnet-x", minutesAgo(60))),
            expect().launch("subnet-b", 1)),
        c(
            "…and it goes once the replacement is available",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    cur("i-1", 60),
                    running("x-1", "subnet-x", minutesAgo(60)),
                    running("n-1", "subnet-b", minutesAgo(1))),
            expect().rollout("x-1")),
        c(
            "a removed subnet is never launched into",
            input()
                .replicas(3)
                .subnets("subnet-b")
                .instances(cur("i-1", 60), cur("i-2", 50), cur("i-3", 40)),
            expect().launch("subnet-b", 1)));
  }

  static Stream<Arguments> rebalance() {
    String[] abc = {"subnet-a", "subnet-b", "subnet-c"};
    Instance[] sixInAB = {
      cur("a-1", 60),
      cur("a-2", 50),
      cur("a-3", 40),
      running("b-1", "subnet-b", minutesAgo(55)),
      running("b-2", "subnet-b", minutesAgo(45)),
      running("b-3", "subnet-b", minutesAgo(35))
    };
    return Stream.of(
        c(
            "steady but unbalanced: one extra into the emptiest subnet",
            input().replicas(6).subnets(abc).instances(sixInAB),
            expect().launch("subnet-c", 1)),
        c(
            "…nothing goes while it is pending",
            input()
                .replicas(6)
                .subnets(abc)
                .instances(sixInAB)
                .instances(pending("c-1", "subnet-c", T0)),
            expect()),
        c(
            "…once it is available, the newest in a crowded subnet goes",
            input()
                .replicas(6)
                .subnets(abc)
                .instances(sixInAB)
                .instances(running("c-1", "subnet-c", minutesAgo(1))),
            expect().scaleIn("b-3")),
        c(
            "never with maxSurge 0",
            input().replicas(6).subnets(abc).instances(sixInAB).policy(policy().rolling(0, 1)),
            expect()),
        c(
            "not while a subnet is avoided for capacity",
            input().replicas(6).subnets(abc).instances(sixInAB).avoid("subnet-c"),
            expect()),
        c(
            "not while paused",
            input().replicas(6).subnets(abc).instances(sixInAB).policy(policy().paused()),
            expect()),
        c(
            "not for a difference of one",
            input()
                .replicas(5)
                .subnets(abc)
                .instances(
                    cur("a-1", 60),
                    cur("a-2", 50),
                    running("b-1", "subnet-b", minutesAgo(55)),
                    running("b-2", "subnet-b", minutesAgo(45)),
                    running("c-1", "subnet-c", minutesAgo(35))),
            expect()),
        c(
            "not while an instance is outdated: the rollout balances",
            input()
                .replicas(6)
                .subnets(abc)
                .instances(
                    Stream.concat(
                            Arrays.stream(sixInAB).limit(5),
                            Stream.of(
                                revision(running("b-3", "subnet-b", minutesAgo(35)), OLD_REV)))
                        .toList()),
            expect().launch("subnet-c", 1)));
  }

  // ---- instances shared with RolloutTraceTest ----

  static Instance[] oldFour() {
    return new Instance[] {old("o-1", 40), old("o-2", 30), old("o-3", 20), old("o-4", 10)};
  }

  /** Running in subnet-a on the old revision, launched that many minutes before T0. */
  static Instance old(String id, int minutesAgo) {
    return revision(running(id, "subnet-a", minutesAgo(minutesAgo)), OLD_REV);
  }

  /** Running in subnet-a on the current revision. */
  static Instance cur(String id, int minutesAgo) {
    return running(id, "subnet-a", minutesAgo(minutesAgo));
  }

  static Instance ok(Instance i) {
    return health(i, Health.OK);
  }

  private static Arguments c(String name, PlanFixtures.InputBuilder in, Expect expect) {
    return Arguments.of(Named.of(name, in.build()), expect);
  }

  private static Expect expect() {
    return new Expect();
  }

  static final class Expect {
    final Map<String, Integer> launches = new LinkedHashMap<>();
    final List<String> terminated = new ArrayList<>();
    final List<String> kept = new ArrayList<>();
    final List<String> lookedUp = new ArrayList<>();
    int unhealthyDeferred;
    int protectedOutdated;

    Expect launch(String subnet, int count) {
      launches.put(subnet, count);
      return this;
    }

    Expect terminate(String id, Termination.Reason reason) {
      terminated.add(id + " " + reason);
      return this;
    }

    Expect rollout(String... ids) {
      Arrays.stream(ids).forEach(id -> terminate(id, Termination.Reason.ROLLOUT));
      return this;
    }

    Expect scaleIn(String... ids) {
      Arrays.stream(ids).forEach(id -> terminate(id, Termination.Reason.SCALE_IN));
      return this;
    }

    Expect unhealthy(String... ids) {
      Arrays.stream(ids).forEach(id -> terminate(id, Termination.Reason.UNHEALTHY));
      return this;
    }

    Expect stopped(String id) {
      return terminate(id, Termination.Reason.STOPPED);
    }

    /** Settled by a DescribeInstances by its launch tag, and so also kept until then. */
    Expect lookUp(String token) {
      lookedUp.add(token);
      kept.add(token);
      return this;
    }

    Expect keep(String token) {
      kept.add(token);
      return this;
    }

    Expect deferred(int n) {
      unhealthyDeferred = n;
      return this;
    }

    Expect protectedOutdated(int n) {
      protectedOutdated = n;
      return this;
    }

    @Override
    public String toString() {
      return "launches="
          + launches
          + " terminated="
          + terminated
          + " kept="
          + kept
          + " deferred="
          + unhealthyDeferred
          + " protectedOutdated="
          + protectedOutdated;
    }
  }
}
