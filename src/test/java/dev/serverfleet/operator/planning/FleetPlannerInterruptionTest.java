package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.pending;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.protect;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static dev.serverfleet.operator.planning.PlanFixtures.stopped;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Interruption;
import dev.serverfleet.operator.planning.PlanFixtures.Foreign;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner with doomed instances (AWS interruption notices), one row per situation: what it
 * launches, which instances it terminates as INTERRUPTED, and what else.
 */
class FleetPlannerInterruptionTest {
  private static final String[] ABC = {"subnet-a", "subnet-b", "subnet-c"};
  private static final Instant SPOT_DEADLINE = T0.plus(Duration.ofMinutes(2));

  private static Interruption spot() {
    return new Interruption(Interruption.Kind.SPOT_INTERRUPTION, SPOT_DEADLINE, "terminate");
  }

  /** Six running instances, two per subnet, launched an hour ago: i-a1, i-a2, i-b1, ... */
  private static List<Instance> six() {
    List<Instance> out = new ArrayList<>();
    for (String s : List.of("a", "b", "c")) {
      out.add(running("i-" + s + "1", "subnet-" + s, minutesAgo(60)));
      out.add(running("i-" + s + "2", "subnet-" + s, minutesAgo(60)));
    }
    return out;
  }

  private static Map<String, Interruption> doomed(String... ids) {
    Map<String, Interruption> out = new HashMap<>();
    for (String id : ids) {
      out.put(id, spot());
    }
    return out;
  }

  /**
   * @param launches expected launches by subnet (subnet → count), all on the current revision
   * @param interrupted expected INTERRUPTED terminations
   * @param others other terminations expected (by id)
   */
  record Row(
      String name,
      PlanInput in,
      Map<String, Integer> launches,
      List<String> interrupted,
      List<String> others) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static PlanInput fleet(
      int replicas, List<Instance> instances, Map<String, Interruption> doomed, Maintenance m) {
    return input()
        .replicas(replicas)
        .subnets(ABC)
        .instances(instances)
        .policy(policy().rolling(0, 0))
        .build()
        .withInterruptions(new Interruptions(doomed, m));
  }

  private static List<Instance> with(List<Instance> base, Instance... more) {
    List<Instance> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }

  static Stream<Arguments> rows() {
    Maintenance dflt = Maintenance.DEFAULT;
    List<Instance> replaced =
        with(
            six(),
            running("i-r1", "subnet-a", minutesAgo(1)),
            running("i-r2", "subnet-b", minutesAgo(1)),
            running("i-r3", "subnet-c", minutesAgo(1)));
    List<Instance> replacing =
        with(
            six(),
            pending("i-r1", "subnet-a", minutesAgo(1)),
            pending("i-r2", "subnet-b", minutesAgo(1)),
            pending("i-r3", "subnet-c", minutesAgo(1)));
    return Stream.of(
            new Row(
                "a warning for three of six launches three replacements in their subnets at once,"
                    + " terminating none (surge above replicas and maxSurge 0)",
                fleet(6, six(), doomed("i-a1", "i-b1", "i-c1"), dflt),
                Map.of("subnet-a", 1, "subnet-b", 1, "subnet-c", 1),
                List.of(),
                List.of()),
            new Row(
                "replacements pending: nothing more launched (not counted twice), none terminated",
                fleet(6, replacing, doomed("i-a1", "i-b1", "i-c1"), dflt),
                Map.of(),
                List.of(),
                List.of()),
            new Row(
                "replacements available: the three doomed go as INTERRUPTED, nothing launched",
                fleet(6, replaced, doomed("i-a1", "i-b1", "i-c1"), dflt),
                Map.of(),
                List.of("i-a1", "i-b1", "i-c1"),
                List.of()),
            new Row(
                "maxHealthyPercentage 110 of 10 replicas: room for one replacement at a time",
                fleet(
                    10,
                    with(
                        six(),
                        running("i-a3", "subnet-a", minutesAgo(60)),
                        running("i-b3", "subnet-b", minutesAgo(60)),
                        running("i-c3", "subnet-c", minutesAgo(60)),
                        running("i-a4", "subnet-a", minutesAgo(60))),
                    doomed("i-a1", "i-b1", "i-c1"),
                    new Maintenance(100, 110)),
                Map.of("subnet-b", 1),
                List.of(),
                List.of()),
            new Row(
                "min 50 / max 100: no surge, three of six may go first (terminate before launch)",
                fleet(6, six(), doomed("i-a1", "i-b1", "i-c1"), new Maintenance(50, 100)),
                Map.of(),
                List.of("i-a1", "i-b1", "i-c1"),
                List.of()),
            new Row(
                "min 90 / max 100 of 6: the floor (6 × 90% rounded up = 6) lets none go first",
                fleet(6, six(), doomed("i-a1"), new Maintenance(90, 100)),
                Map.of(),
                List.of(),
                List.of()),
            new Row(
                "a doomed instance that is not available (pending) costs nothing and goes at once",
                fleet(
                    3,
                    List.of(
                        running("i-a1", "subnet-a", minutesAgo(60)),
                        running("i-b1", "subnet-b", minutesAgo(60)),
                        pending("i-c1", "subnet-c", minutesAgo(1))),
                    doomed("i-c1"),
                    dflt),
                Map.of("subnet-c", 1),
                List.of("i-c1"),
                List.of()),
            new Row(
                "a protected doomed instance is replaced but never terminated by the fleet",
                fleet(
                    6,
                    with(
                        six().stream().filter(i -> !i.id().equals("i-a1")).toList(),
                        protect(running("i-a1", "subnet-a", minutesAgo(60))),
                        running("i-r1", "subnet-a", minutesAgo(1))),
                    doomed("i-a1"),
                    dflt),
                Map.of(),
                List.of(),
                List.of()),
            new Row(
                "a notice for an instance of another fleet changes nothing",
                fleet(
                    6,
                    with(
                        six(),
                        PlanFixtures.foreign(
                            running("i-x1", "subnet-a", minutesAgo(5)), Foreign.OTHER_FLEET)),
                    doomed("i-x1"),
                    dflt),
                Map.of(),
                List.of(),
                List.of()),
            new Row(
                "a doomed instance that is stopped is replaced for health, once",
                fleet(
                    6,
                    with(
                        six().stream().filter(i -> !i.id().equals("i-a1")).toList(),
                        stopped("i-a1", "subnet-a", minutesAgo(60))),
                    doomed("i-a1"),
                    dflt),
                Map.of("subnet-a", 1),
                List.of(),
                List.of("i-a1")),
            new Row(
                "room to let one go: the earliest deadline goes first",
                fleet(
                    6,
                    with(six(), running("i-r1", "subnet-a", minutesAgo(1))),
                    Map.of(
                        "i-b1",
                        spot(),
                        "i-a1",
                        new Interruption(
                            Interruption.Kind.SCHEDULED_CHANGE,
                            T0.plus(Duration.ofDays(3)),
                            "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED")),
                    dflt),
                Map.of("subnet-b", 1),
                List.of("i-b1"),
                List.of()))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(Row row) {
    Plan plan = FleetPlanner.plan(row.in());

    Map<String, Integer> launched = new HashMap<>();
    plan.launches().forEach(l -> launched.merge(l.subnetId(), l.count(), Integer::sum));
    assertThat(launched).as("launches by subnet").isEqualTo(row.launches());
    assertThat(plan.terminations())
        .filteredOn(t -> t.reason() == Termination.Reason.INTERRUPTED)
        .extracting(Termination::instanceId)
        .as("interrupted")
        .containsExactlyInAnyOrderElementsOf(row.interrupted());
    assertThat(plan.terminations())
        .filteredOn(t -> t.reason() != Termination.Reason.INTERRUPTED)
        .extracting(Termination::instanceId)
        .as("other terminations")
        .containsExactlyInAnyOrderElementsOf(row.others());
  }

  // ---- health replacements under a maintenance policy in the spec ----

  private static PlanInput impaired(List<Instance> instances, boolean launchFirst) {
    return input()
        .replicas(3)
        .subnets(ABC)
        .instances(instances)
        .policy(policy().rolling(0, 0).statusChecks(Duration.ofMinutes(5), 100))
        .build()
        .withInterruptions(new Interruptions(Map.of(), new Maintenance(100, 110), launchFirst));
  }

  private static List<Instance> threeOneImpaired(Instance... more) {
    List<Instance> out =
        new ArrayList<>(
            List.of(
                PlanFixtures.health(
                    running("i-a1", "subnet-a", minutesAgo(60)),
                    dev.serverfleet.operator.fleet.Health.IMPAIRED),
                PlanFixtures.health(
                    running("i-b1", "subnet-b", minutesAgo(60)),
                    dev.serverfleet.operator.fleet.Health.OK),
                PlanFixtures.health(
                    running("i-c1", "subnet-c", minutesAgo(60)),
                    dev.serverfleet.operator.fleet.Health.OK)));
    out.addAll(List.of(more));
    return out;
  }

  @org.junit.jupiter.api.Test
  void withoutAMaintenancePolicyAnImpairedInstanceIsTerminatedFirst() {
    Plan plan = FleetPlanner.plan(impaired(threeOneImpaired(), false));

    assertThat(plan.terminations())
        .extracting(Termination::instanceId, Termination::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("i-a1", Termination.Reason.UNHEALTHY));
  }

  @org.junit.jupiter.api.Test
  void withAMaintenancePolicyAnImpairedInstanceStaysUntilItsReplacementIsAvailable() {
    Plan first = FleetPlanner.plan(impaired(threeOneImpaired(), true));

    assertThat(first.terminations()).isEmpty();
    assertThat(first.launches())
        .singleElement()
        .satisfies(l -> assertThat(l.subnetId()).isEqualTo("subnet-a"));

    Instance replacementStarting = pending("i-r1", "subnet-a", minutesAgo(0));
    Plan starting = FleetPlanner.plan(impaired(threeOneImpaired(replacementStarting), true));
    assertThat(starting.terminations()).isEmpty();
    assertThat(starting.launches()).as("not replaced twice").isEmpty();

    Instance replacement =
        PlanFixtures.health(
            running("i-r1", "subnet-a", minutesAgo(1)), dev.serverfleet.operator.fleet.Health.OK);
    Plan done = FleetPlanner.plan(impaired(threeOneImpaired(replacement), true));
    assertThat(done.terminations())
        .extracting(Termination::instanceId, Termination::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("i-a1", Termination.Reason.UNHEALTHY));
    assertThat(done.launches()).isEmpty();
  }
}
