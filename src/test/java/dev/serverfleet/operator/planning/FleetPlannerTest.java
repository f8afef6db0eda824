package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.RETRY_AFTER;
import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.VISIBILITY_DEADLINE;
import static dev.serverfleet.operator.planning.PlanFixtures.acknowledged;
import static dev.serverfleet.operator.planning.PlanFixtures.foreign;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.intent;
import static dev.serverfleet.operator.planning.PlanFixtures.launchedBy;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.oldIntent;
import static dev.serverfleet.operator.planning.PlanFixtures.pending;
import static dev.serverfleet.operator.planning.PlanFixtures.revision;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static dev.serverfleet.operator.planning.PlanFixtures.shuttingDown;
import static dev.serverfleet.operator.planning.PlanFixtures.stopped;
import static dev.serverfleet.operator.planning.PlanFixtures.stopping;
import static dev.serverfleet.operator.planning.PlanFixtures.terminated;
import static dev.serverfleet.operator.planning.Termination.Reason.SCALE_IN;
import static dev.serverfleet.operator.planning.Termination.Reason.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.PlanFixtures.Foreign;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FleetPlannerTest {

  private static final Instant SECONDS_AGO = T0.minusSeconds(10);

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "scaleUp",
    "victimOrder",
    "stoppedAndGone",
    "foreignInstances",
    "intents",
    "avoidSubnets"
  })
  void plans(PlanInput in, Expect expect) {
    Plan plan = FleetPlanner.plan(in);

    Map<String, Integer> launched = new LinkedHashMap<>();
    for (Launch l : plan.newLaunches()) {
      assertThat(launched.put(l.subnetId(), l.count())).as("one launch per subnet: %s", l).isNull();
      assertThat(l.revision()).isEqualTo(in.revision());
      assertThat(l.count()).isPositive();
    }
    assertThat(launched).as("new launches by subnet").isEqualTo(expect.launches);
    assertThat(plan.launches().stream().filter(Launch::retry).map(Launch::token))
        .as("retried")
        .containsExactlyElementsOf(expect.retried);
    assertThat(plan.terminations())
        .extracting(t -> t.instanceId() + " " + t.reason())
        .as("terminations, in order")
        .containsExactlyElementsOf(expect.terminated);

    Map<String, Intent> given =
        in.intents().stream().collect(Collectors.toMap(Intent::token, i -> i));
    assertThat(plan.intents().stream().map(Intent::token).filter(given::containsKey))
        .as("intents kept")
        .containsExactlyElementsOf(expect.kept);
    assertThat(plan.intents().stream().filter(i -> !given.containsKey(i.token())))
        .as("one new intent per new launch")
        .containsExactlyElementsOf(
            plan.newLaunches().stream()
                .map(l -> new Intent(l.token(), l.subnetId(), l.count(), l.revision(), in.now()))
                .toList());
    assertThat(plan.lookups())
        .extracting(Intent::token)
        .as("looked up")
        .containsExactlyElementsOf(expect.lookedUp);
    for (Launch retry : plan.launches().stream().filter(Launch::retry).toList()) {
      Intent was = given.get(retry.token());
      assertThat(retry)
          .isEqualTo(new Launch(was.token(), was.subnetId(), was.count(), was.revision(), true));
    }
    assertInvariants(in, plan);
  }

  static Stream<Arguments> scaleUp() {
    return Stream.of(
        c("0→3 in one subnet", input().replicas(3), expect().launch("subnet-a", 3)),
        c(
            "0→3 across two subnets",
            input().replicas(3).subnets("subnet-a", "subnet-b"),
            expect().launch("subnet-a", 2).launch("subnet-b", 1)),
        c(
            "0→3 across three subnets",
            input().replicas(3).subnets("subnet-a", "subnet-b", "subnet-c"),
            expect().launch("subnet-a", 1).launch("subnet-b", 1).launch("subnet-c", 1)),
        c(
            "0→7 across three subnets",
            input().replicas(7).subnets("subnet-a", "subnet-b", "subnet-c"),
            expect().launch("subnet-a", 3).launch("subnet-b", 2).launch("subnet-c", 2)),
        c(
            "spec order breaks ties",
            input().replicas(1).subnets("subnet-c", "subnet-b", "subnet-a"),
            expect().launch("subnet-c", 1)),
        c(
            "balanced at replicas: nothing to do",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(9)),
                    running("i-2", "subnet-b", minutesAgo(9))),
            expect()),
        c(
            "unbalanced: new ones fill the emptiest subnets first",
            input()
                .replicas(7)
                .subnets("subnet-a", "subnet-b", "subnet-c")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(9)),
                    running("i-2", "subnet-a", minutesAgo(8)),
                    running("i-3", "subnet-a", minutesAgo(7)),
                    running("i-4", "subnet-c", minutesAgo(6))),
            expect().launch("subnet-b", 2).launch("subnet-c", 1)),
        c(
            "unbalanced, small deficit: all to the emptiest",
            input()
                .replicas(4)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(9)),
                    running("i-2", "subnet-a", minutesAgo(8)),
                    running("i-3", "subnet-a", minutesAgo(7))),
            expect().launch("subnet-b", 1)),
        c(
            "an instance in an unlisted subnet is outdated: replacements for all within surge",
            input()
                .replicas(3)
                .subnets("subnet-a", "subnet-b")
                .instances(running("i-1", "subnet-x", minutesAgo(9))),
            expect().launch("subnet-a", 2).launch("subnet-b", 1)));
  }

  static Stream<Arguments> victimOrder() {
    return Stream.of(
        c(
            "pending before running, even when older",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(1)),
                    pending("i-2", "subnet-a", minutesAgo(60))),
            expect().scaleIn("i-2")),
        c(
            "old revision rolled out once the current one is available, even when older",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(1)),
                    revision(running("i-2", "subnet-a", minutesAgo(60)), OLD_REV)),
            expect().rollout("i-2")),
        c(
            "a rollout waits for the new instance to be available before terminating the old",
            input()
                .replicas(1)
                .instances(
                    revision(running("i-1", "subnet-a", minutesAgo(1)), OLD_REV),
                    pending("i-2", "subnet-a", minutesAgo(60))),
            expect()),
        c(
            "unlisted subnet rolled out before listed, even when older",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(1)),
                    running("i-2", "subnet-x", minutesAgo(60))),
            expect().rollout("i-2")),
        c(
            "unlisted subnet before the most crowded",
            input()
                .replicas(3)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(3)),
                    running("i-2", "subnet-a", minutesAgo(2)),
                    running("i-3", "subnet-b", minutesAgo(1)),
                    running("i-4", "subnet-x", minutesAgo(60))),
            expect().rollout("i-4")),
        c(
            "both outdated: the unlisted subnet goes first",
            input()
                .replicas(1)
                .instances(
                    revision(running("i-1", "subnet-a", minutesAgo(60)), OLD_REV),
                    running("i-2", "subnet-x", minutesAgo(1))),
            expect().rollout("i-2")),
        c(
            "most crowded subnet first",
            input()
                .replicas(3)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-a", minutesAgo(50)),
                    running("i-3", "subnet-a", minutesAgo(40)),
                    running("i-4", "subnet-b", minutesAgo(1))),
            expect().scaleIn("i-3")),
        c(
            "crowding is recounted after each pick",
            input()
                .replicas(3)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-a", minutesAgo(50)),
                    running("i-3", "subnet-a", minutesAgo(40)),
                    running("i-4", "subnet-b", minutesAgo(30)),
                    running("i-5", "subnet-b", minutesAgo(20))),
            expect().scaleIn("i-3", "i-5")),
        c(
            "newest first",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(30)),
                    running("i-2", "subnet-a", minutesAgo(10)),
                    running("i-3", "subnet-a", minutesAgo(20))),
            expect().scaleIn("i-2", "i-3")),
        c(
            "unknown launch time counts as newest",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(10)), running("i-2", "subnet-a", null)),
            expect().scaleIn("i-2")),
        c(
            "id breaks ties",
            input()
                .replicas(1)
                .instances(
                    running("i-b", "subnet-a", minutesAgo(10)),
                    running("i-a", "subnet-a", minutesAgo(10)),
                    running("i-c", "subnet-a", minutesAgo(10))),
            expect().scaleIn("i-a", "i-b")),
        c(
            "intents in flight never make running instances victims",
            input()
                .replicas(4)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-a", minutesAgo(50)),
                    running("i-3", "subnet-b", minutesAgo(1)))
                .intents(intent("tok-1", "subnet-b", 2, SECONDS_AGO)),
            expect().keep("tok-1")),
        c(
            "scale-in with intents in flight: counted on live instances only",
            input()
                .replicas(1)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-a", minutesAgo(30)))
                .intents(intent("tok-1", "subnet-b", 3, SECONDS_AGO)),
            expect().scaleIn("i-2").keep("tok-1")),
        c(
            "replicas 0 with only intents in flight: nothing to terminate",
            input().replicas(0).intents(intent("tok-1", "subnet-a", 2, SECONDS_AGO)),
            expect().keep("tok-1")),
        c(
            "replicas 0 terminates everything owned and live",
            input()
                .replicas(0)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-b", minutesAgo(30)),
                    pending("i-3", "subnet-a", minutesAgo(1)),
                    stopped("i-4", "subnet-b", minutesAgo(90)),
                    terminated("i-5", "subnet-a", minutesAgo(90)),
                    shuttingDown("i-6", "subnet-b", minutesAgo(90)),
                    foreign(running("f-1", "subnet-a", minutesAgo(5)), Foreign.NO_TAGS),
                    foreign(running("f-2", "subnet-a", minutesAgo(5)), Foreign.OTHER_CLUSTER),
                    foreign(stopped("f-3", "subnet-b", minutesAgo(5)), Foreign.OTHER_FLEET)),
            expect().terminate("i-4", STOPPED).scaleIn("i-3", "i-2", "i-1")));
  }

  static Stream<Arguments> stoppedAndGone() {
    return Stream.of(
        c(
            "stopped: terminated and replaced",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    stopped("i-2", "subnet-b", minutesAgo(60))),
            expect().terminate("i-2", STOPPED).launch("subnet-b", 1)),
        c(
            "stopping: terminated and replaced",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    stopping("i-2", "subnet-b", minutesAgo(60))),
            expect().terminate("i-2", STOPPED).launch("subnet-b", 1)),
        c(
            "stopped during an excess: terminated, not replaced",
            input()
                .replicas(1)
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-a", minutesAgo(30)),
                    stopped("i-3", "subnet-a", minutesAgo(90))),
            expect().terminate("i-3", STOPPED).scaleIn("i-2")),
        c(
            "shutting-down and terminated are ignored",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(60)),
                    running("i-2", "subnet-b", minutesAgo(60)),
                    shuttingDown("i-3", "subnet-a", minutesAgo(1)),
                    terminated("i-4", "subnet-b", minutesAgo(1))),
            expect()),
        c(
            "terminated do not count toward replicas",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    terminated("i-1", "subnet-a", minutesAgo(60)),
                    shuttingDown("i-2", "subnet-a", minutesAgo(60))),
            expect().launch("subnet-a", 1).launch("subnet-b", 1)));
  }

  static Stream<Arguments> foreignInstances() {
    return Stream.of(
        c(
            "foreign instances are not counted",
            input()
                .replicas(1)
                .instances(
                    foreign(running("f-1", "subnet-a", minutesAgo(5)), Foreign.NO_TAGS),
                    foreign(running("f-2", "subnet-a", minutesAgo(5)), Foreign.OTHER_CLUSTER),
                    foreign(running("f-3", "subnet-a", minutesAgo(5)), Foreign.OTHER_FLEET)),
            expect().launch("subnet-a", 1)),
        c(
            "foreign instances are never victims",
            input()
                .replicas(0)
                .instances(
                    foreign(running("f-1", "subnet-a", minutesAgo(5)), Foreign.NO_TAGS),
                    foreign(pending("f-2", "subnet-a", minutesAgo(5)), Foreign.OTHER_CLUSTER),
                    foreign(stopped("f-3", "subnet-a", minutesAgo(5)), Foreign.OTHER_FLEET),
                    foreign(stopped("f-4", "subnet-a", minutesAgo(5)), Foreign.NO_TAGS)),
            expect()),
        c(
            "foreign instances do not crowd a subnet",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .instances(
                    foreign(running("f-1", "subnet-a", minutesAgo(5)), Foreign.OTHER_FLEET),
                    foreign(running("f-2", "subnet-a", minutesAgo(5)), Foreign.OTHER_FLEET)),
            expect().launch("subnet-a", 1).launch("subnet-b", 1)),
        c(
            "a foreign instance with the intent's token does not fulfil it",
            input()
                .replicas(1)
                .instances(
                    launchedBy(
                        foreign(running("f-1", "subnet-a", minutesAgo(1)), Foreign.OTHER_FLEET),
                        "tok-1"))
                .intents(intent("tok-1", "subnet-a", 1, SECONDS_AGO)),
            expect().keep("tok-1")));
  }

  static Stream<Arguments> intents() {
    return Stream.of(
        c(
            "fulfilled by a running instance: dropped, the instance counts",
            input()
                .replicas(1)
                .instances(launchedBy(running("i-1", "subnet-a", minutesAgo(1)), "tok-1"))
                .intents(intent("tok-1", "subnet-a", 1, minutesAgo(1))),
            expect()),
        c(
            "fulfilled by a terminated instance: dropped, and replaced",
            input()
                .replicas(1)
                .instances(launchedBy(terminated("i-1", "subnet-a", minutesAgo(1)), "tok-1"))
                .intents(intent("tok-1", "subnet-a", 1, minutesAgo(1))),
            expect().launch("subnet-a", 1)),
        c(
            "fulfilled past its lifetime: dropped, not expired",
            input()
                .replicas(1)
                .instances(launchedBy(running("i-1", "subnet-a", minutesAgo(20)), "tok-1"))
                .intents(intent("tok-1", "subnet-a", 1, minutesAgo(20))),
            expect()),
        c(
            "in flight: counted, no duplicate launch",
            input().replicas(2).intents(intent("tok-1", "subnet-a", 2, SECONDS_AGO)),
            expect().keep("tok-1")),
        c(
            "in flight: counted in its subnet",
            input()
                .replicas(3)
                .subnets("subnet-a", "subnet-b")
                .intents(intent("tok-1", "subnet-a", 2, SECONDS_AGO)),
            expect().launch("subnet-b", 1).keep("tok-1")),
        c(
            "retried with the same token at retryAfter",
            input().replicas(2).intents(intent("tok-1", "subnet-a", 2, T0.minus(RETRY_AFTER))),
            expect().retry("tok-1")),
        c(
            "not retried just before retryAfter",
            input()
                .replicas(2)
                .intents(intent("tok-1", "subnet-a", 2, T0.minus(RETRY_AFTER).plusMillis(1))),
            expect().keep("tok-1")),
        c(
            "old revision, before retryAfter: counted as old; the rollout launches within surge",
            input().replicas(2).intents(oldIntent("tok-1", "subnet-a", 2, SECONDS_AGO)),
            expect().launch("subnet-a", 1).keep("tok-1")),
        c(
            "old revision, at retryAfter: not retried (EC2 would refuse its token with other parameters) but"
                + " looked up; still counted as old until settled",
            input().replicas(2).intents(oldIntent("tok-1", "subnet-a", 2, T0.minus(RETRY_AFTER))),
            expect().launch("subnet-a", 1).lookUp("tok-1")),
        c(
            "unknown outcome never expires: retried with its own token however old",
            input()
                .replicas(2)
                .intents(
                    intent(
                        "tok-1",
                        "subnet-a",
                        2,
                        T0.minus(VISIBILITY_DEADLINE).minus(VISIBILITY_DEADLINE))),
            expect().retry("tok-1")),
        c(
            "no longer needed after a scale-down: looked up, not resent",
            input().replicas(0).intents(intent("tok-1", "subnet-a", 2, T0.minus(RETRY_AFTER))),
            expect().lookUp("tok-1")),
        c(
            "needed only in part: the retry that fits is sent, the other looked up",
            input()
                .replicas(2)
                .subnets("subnet-a", "subnet-b")
                .intents(
                    intent("tok-1", "subnet-a", 1, T0.minus(RETRY_AFTER)),
                    intent("tok-2", "subnet-b", 2, T0.minus(RETRY_AFTER))),
            expect().retry("tok-1").lookUp("tok-2")),
        c(
            "acknowledged and unseen: counted until the visibility deadline",
            input()
                .replicas(2)
                .intents(
                    acknowledged(
                        "tok-1", "subnet-a", 2, T0.minus(VISIBILITY_DEADLINE).plusMillis(1))),
            expect().keep("tok-1")),
        c(
            "acknowledged and unseen at the visibility deadline: looked up before anything is relaunched",
            input()
                .replicas(2)
                .intents(acknowledged("tok-1", "subnet-a", 2, T0.minus(VISIBILITY_DEADLINE))),
            expect().lookUp("tok-1")),
        c(
            "fulfilled, in flight and retried at once",
            input()
                .replicas(5)
                .subnets("subnet-a", "subnet-b")
                .instances(launchedBy(running("i-1", "subnet-a", minutesAgo(2)), "tok-1"))
                .intents(
                    intent("tok-1", "subnet-a", 1, minutesAgo(2)),
                    intent("tok-2", "subnet-b", 1, SECONDS_AGO),
                    intent("tok-3", "subnet-a", 1, minutesAgo(1)),
                    intent("tok-4", "subnet-b", 2, minutesAgo(11))),
            expect().keep("tok-2").retry("tok-3").retry("tok-4")));
  }

  static Stream<Arguments> avoidSubnets() {
    String[] abc = {"subnet-a", "subnet-b", "subnet-c"};
    return Stream.of(
        c(
            "avoided subnet skipped while others are available",
            input().replicas(3).subnets(abc).avoid("subnet-b"),
            expect().launch("subnet-a", 2).launch("subnet-c", 1)),
        c(
            "avoided subnet skipped even when emptiest",
            input()
                .replicas(4)
                .subnets(abc)
                .avoid("subnet-b")
                .instances(
                    running("i-1", "subnet-a", minutesAgo(5)),
                    running("i-2", "subnet-c", minutesAgo(5))),
            expect().launch("subnet-a", 1).launch("subnet-c", 1)),
        c(
            "all subnets avoided: all are used",
            input().replicas(3).subnets(abc).avoid(abc),
            expect().launch("subnet-a", 1).launch("subnet-b", 1).launch("subnet-c", 1)),
        c(
            "avoiding an unlisted subnet changes nothing",
            input().replicas(3).subnets(abc).avoid("subnet-x"),
            expect().launch("subnet-a", 1).launch("subnet-b", 1).launch("subnet-c", 1)));
  }

  @Test
  void tokensFitEc2AndAreDistinctAndDeterministic() {
    PlanInput in =
        input()
            .replicas(40)
            .subnets("subnet-a", "subnet-b", "subnet-c", "subnet-d")
            .fleetUid("0f3c9a52-7e1b-4c9d-a1f0-5b6e7d8c9a0b")
            .now(Instant.parse("9999-12-31T23:59:59.999Z"))
            .build();

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.launches()).hasSize(4);
    assertThat(plan.launches())
        .extracting(Launch::token)
        .doesNotHaveDuplicates()
        .allSatisfy(t -> assertThat(t).hasSizeLessThanOrEqualTo(64).matches("[\\x21-\\x7e]+"));
    assertThat(FleetPlanner.plan(in)).isEqualTo(plan);
  }

  @Test
  void tokensDifferByFleetAndByMoment() {
    Set<String> tokens = new HashSet<>();
    for (PlanInput in :
        List.of(
            input().replicas(1).build(),
            input().replicas(1).fleetUid("uid-2").build(),
            input().replicas(1).now(T0.plusMillis(1)).build())) {
      tokens.add(FleetPlanner.plan(in).launches().get(0).token());
    }
    assertThat(tokens).hasSize(3);
  }

  @Test
  void newTokensNeverReuseAnInFlightToken() {
    Plan first = FleetPlanner.plan(input().replicas(2).subnets("subnet-a", "subnet-b").build());
    Plan second =
        FleetPlanner.plan(
            input()
                .replicas(5)
                .subnets("subnet-a", "subnet-b")
                .intents(first.intents())
                .now(T0.plusSeconds(1))
                .build());

    assertThat(second.newLaunches()).isNotEmpty();
    assertThat(second.intents()).extracting(Intent::token).doesNotHaveDuplicates();
  }

  @Test
  void newTokensNeverReuseAnInFlightTokenEvenInTheSameMillisecond() {
    Plan first = FleetPlanner.plan(input().replicas(1).build());
    Plan second = FleetPlanner.plan(input().replicas(3).intents(first.intents()).build());

    assertThat(second.intents()).extracting(Intent::token).doesNotHaveDuplicates();
  }

  @Test
  void scaleInDoesNotTerminateRunningInstancesForUnseenIntents() {
    // 4 wanted, 2 running, a launch of 2 recorded but its response lost; the user then changes the
    // template and scales to 2. The planner terminates both running instances and waits for
    // instances that will never come.
    PlanInput in =
        input()
            .replicas(2)
            .instances(
                running("i-1", "subnet-a", minutesAgo(60)),
                running("i-2", "subnet-a", minutesAgo(60)))
            .intents(oldIntent("tok-1", "subnet-a", 2, minutesAgo(1)))
            .build();

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.terminations()).isEmpty();
  }

  @Test
  void anUnneededIntentIsNotRetried() {
    PlanInput in =
        input().replicas(0).intents(intent("tok-1", "subnet-a", 2, minutesAgo(1))).build();

    assertThat(FleetPlanner.plan(in).launches()).isEmpty();
  }

  /** What every plan guarantees, whatever the input. */
  static void assertInvariants(PlanInput in, Plan plan) {
    Set<String> ownedIds =
        in.instances().stream()
            .filter(i -> i.ownedBy(in.clusterName(), in.fleetUid()))
            .map(Instance::id)
            .collect(Collectors.toSet());
    assertThat(plan.terminations())
        .extracting(Termination::instanceId)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(ownedIds).contains(id));
    assertThat(plan.launches())
        .extracting(Launch::token)
        .doesNotHaveDuplicates()
        .allSatisfy(t -> assertThat(t).hasSizeLessThanOrEqualTo(64));
    assertThat(plan.intents()).extracting(Intent::token).doesNotHaveDuplicates();
    assertThat(FleetPlanner.plan(in)).as("deterministic").isEqualTo(plan);
  }

  private static Arguments c(String name, PlanFixtures.InputBuilder in, Expect expect) {
    return Arguments.of(Named.of(name, in.build()), expect);
  }

  private static Expect expect() {
    return new Expect();
  }

  /** The expected plan, with the tokens of new launches left out: those are checked generically. */
  static final class Expect {
    final Map<String, Integer> launches = new LinkedHashMap<>();
    final List<String> retried = new ArrayList<>();
    final List<String> terminated = new ArrayList<>();
    final List<String> kept = new ArrayList<>();
    final List<String> lookedUp = new ArrayList<>();

    Expect launch(String subnet, int count) {
      launches.put(subnet, count);
      return this;
    }

    /** Re-issued, and so also kept. */
    Expect retry(String token) {
      retried.add(token);
      kept.add(token);
      return this;
    }

    Expect terminate(String id, Termination.Reason reason) {
      terminated.add(id + " " + reason);
      return this;
    }

    Expect rollout(String... ids) {
      for (String id : ids) {
        terminate(id, Termination.Reason.ROLLOUT);
      }
      return this;
    }

    Expect scaleIn(String... ids) {
      for (String id : ids) {
        terminate(id, SCALE_IN);
      }
      return this;
    }

    Expect keep(String token) {
      kept.add(token);
      return this;
    }

    /** Settled by a DescribeInstances by its launch tag, and so also kept until then. */
    Expect lookUp(String token) {
      lookedUp.add(token);
      kept.add(token);
      return this;
    }

    @Override
    public String toString() {
      return "launches="
          + launches
          + " retried="
          + retried
          + " terminated="
          + terminated
          + " kept="
          + kept
          + " lookedUp="
          + lookedUp;
    }
  }
}
