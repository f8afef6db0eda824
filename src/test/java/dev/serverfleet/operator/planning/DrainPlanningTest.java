package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.revision;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the planner treats instances draining before their termination ({@link PlanInput#draining}):
 * never chosen again, never ready or available, and still counted against replicas + maxSurge while
 * they run, so no second victim is taken for the same slot and no replacement is launched beyond
 * the surge.
 */
class DrainPlanningTest {

  private static Instance old(String id, String subnet) {
    return revision(running(id, subnet, minutesAgo(60)), OLD_REV);
  }

  private static Instance fresh(String id, String subnet) {
    return running(id, subnet, minutesAgo(30));
  }

  /** name, input, launches expected, terminations expected (ids). */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "scale-in: the draining instance is the one going, no second victim",
            input()
                .replicas(2)
                .instances(
                    fresh("i-1", "subnet-a"), fresh("i-2", "subnet-a"), fresh("i-3", "subnet-a"))
                .draining("i-3")
                .build(),
            0,
            List.of()),
        Arguments.of(
            "scale-in by two with one draining: one more victim, never the draining one",
            input()
                .replicas(1)
                .instances(
                    fresh("i-1", "subnet-a"), fresh("i-2", "subnet-a"), fresh("i-3", "subnet-a"))
                .draining("i-3")
                .build(),
            0,
            List.of("i-1")),
        Arguments.of(
            "rollout 1/0: an old one draining and the new one in its slot: wait, launch nothing"
                + " beyond the surge",
            input()
                .replicas(3)
                .policy(policy().rolling(1, 0))
                .instances(
                    fresh("n-1", "subnet-a"),
                    old("o-1", "subnet-a"),
                    old("o-2", "subnet-a"),
                    old("o-3", "subnet-a"))
                .draining("o-3")
                .build(),
            0,
            List.of()),
        Arguments.of(
            "rollout 0/1: the draining old instance is the unavailable one; no second victim,"
                + " no launch until it is gone",
            input()
                .replicas(3)
                .policy(policy().rolling(0, 1))
                .instances(old("o-1", "subnet-a"), old("o-2", "subnet-a"), old("o-3", "subnet-a"))
                .draining("o-3")
                .build(),
            0,
            List.of()),
        Arguments.of(
            "rollout 1/0 without drains: the same fleet launches (the rule only bites when"
                + " draining)",
            input()
                .replicas(3)
                .policy(policy().rolling(1, 0))
                .instances(fresh("n-1", "subnet-a"), old("o-1", "subnet-a"), old("o-2", "subnet-a"))
                .build(),
            1,
            List.of()),
        Arguments.of(
            "rollout 2/0 with one draining: one launch still fits the surge",
            input()
                .replicas(3)
                .policy(policy().rolling(2, 0))
                .instances(
                    fresh("n-1", "subnet-a"),
                    old("o-1", "subnet-a"),
                    old("o-2", "subnet-a"),
                    old("o-3", "subnet-a"))
                .draining("o-3")
                .build(),
            1,
            List.of()),
        Arguments.of(
            "Recreate: nothing launched while an old instance drains",
            input()
                .replicas(2)
                .policy(policy().recreate())
                .instances(old("o-1", "subnet-a"), old("o-2", "subnet-a"))
                .draining("o-1", "o-2")
                .build(),
            0,
            List.of()),
        Arguments.of(
            "an abandoned drain (still in draining) holds its slot: no endless launch-and-abandon",
            input()
                .replicas(2)
                .policy(policy().rolling(1, 0))
                .instances(
                    fresh("n-1", "subnet-a"), fresh("n-2", "subnet-a"), old("o-1", "subnet-a"))
                .draining("o-1")
                .build(),
            0,
            List.of()),
        Arguments.of(
            "an unhealthy instance already draining is not replaced a second time",
            input()
                .replicas(2)
                .policy(policy().rolling(1, 0).statusChecks(Duration.ofMinutes(5), 50))
                .instances(
                    fresh("i-1", "subnet-a"),
                    PlanFixtures.health(fresh("i-2", "subnet-a"), Health.IMPAIRED),
                    fresh("i-3", "subnet-a"))
                .draining("i-2")
                .build(),
            0,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void drainingInstancesAreGoingAlready(
      String name, PlanInput in, int launches, List<String> terminated) {
    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.newLaunches().stream().mapToInt(Launch::count).sum())
        .as("launched")
        .isEqualTo(launches);
    assertThat(plan.terminations()).extracting(Termination::instanceId).isEqualTo(terminated);
    assertThat(plan.terminations())
        .extracting(Termination::instanceId)
        .noneMatch(in.draining()::contains);
    FleetPlannerTest.assertInvariants(in, plan);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aDrainingInstanceIsNeitherReadyNorAvailable(
      String name, PlanInput in, int launches, List<String> terminated) {
    InstanceChecks view = new InstanceChecks(in);
    in.instances().stream()
        .filter(i -> in.draining().contains(i.id()))
        .forEach(
            i -> {
              assertThat(view.ready(i)).as("%s ready", i.id()).isFalse();
              assertThat(view.available(i)).as("%s available", i.id()).isFalse();
              assertThat(view.unhealthy(i)).as("%s unhealthy", i.id()).isFalse();
            });
  }
}
