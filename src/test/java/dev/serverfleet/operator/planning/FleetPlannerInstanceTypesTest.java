package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.RETRY_AFTER;
import static dev.serverfleet.operator.planning.PlanFixtures.REV;
import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Offering;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner with several instance types: zone balance first, then the type per subnet. */
class FleetPlannerInstanceTypesTest {
  private static final String[] ABC = {"subnet-a", "subnet-b", "subnet-c"};
  private static final Map<String, String> ZONES =
      Map.of("subnet-a", "us-east-1a", "subnet-b", "us-east-1b", "subnet-c", "us-east-1c");
  private static final List<String> TYPES = List.of("t3.micro", "t3.small");

  private static InstanceTypeChoice unavailable(Offering... out) {
    return new InstanceTypeChoice(TYPES, Offering.ON_DEMAND, ZONES, Set.of(out));
  }

  private static Offering od(String type, String zone) {
    return new Offering(Offering.ON_DEMAND, type, zone);
  }

  @Test
  void thePreferredTypeOutInOneZoneKeepsTheBalanceAndTakesTheNextTypeThere() {
    PlanInput in =
        input()
            .replicas(12)
            .subnets(ABC)
            .build()
            .withInstanceTypes(unavailable(od("t3.micro", "us-east-1a")));

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.launches())
        .extracting(Launch::subnetId, Launch::count, Launch::instanceType)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("subnet-a", 4, "t3.small"),
            org.assertj.core.groups.Tuple.tuple("subnet-b", 4, "t3.micro"),
            org.assertj.core.groups.Tuple.tuple("subnet-c", 4, "t3.micro"));
    assertThat(plan.intents())
        .filteredOn(i -> i.subnetId().equals("subnet-a"))
        .singleElement()
        .satisfies(i -> assertThat(i.instanceType()).isEqualTo("t3.small"));
  }

  @Test
  void aZoneWithEveryTypeOutIsAvoidedLikeASubnetThatReportedAShortage() {
    PlanInput in =
        input()
            .replicas(6)
            .subnets(ABC)
            .build()
            .withInstanceTypes(
                unavailable(od("t3.micro", "us-east-1a"), od("t3.small", "us-east-1a")));

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.launches())
        .extracting(Launch::subnetId, Launch::count, Launch::instanceType)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("subnet-b", 3, "t3.micro"),
            org.assertj.core.groups.Tuple.tuple("subnet-c", 3, "t3.micro"));
  }

  @Test
  void everyZoneOutOfEveryTypeLaunchesThePreferredTypeEverywhere() {
    Offering[] out =
        ZONES.values().stream()
            .flatMap(z -> TYPES.stream().map(t -> od(t, z)))
            .toArray(Offering[]::new);
    PlanInput in = input().replicas(3).subnets(ABC).build().withInstanceTypes(unavailable(out));

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.launches())
        .extracting(Launch::subnetId, Launch::instanceType)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("subnet-a", "t3.micro"),
            org.assertj.core.groups.Tuple.tuple("subnet-b", "t3.micro"),
            org.assertj.core.groups.Tuple.tuple("subnet-c", "t3.micro"));
  }

  @Test
  void aRetryKeepsItsIntentsTypeEvenWhenThatTypeIsOutNow() {
    // EC2 refuses a client token with other parameters: the retry must ask for what the first
    // attempt asked for
    Instant at = minutesAgo(1);
    Intent unknown =
        new Intent(
            "tok-1", "subnet-a", 1, REV, at, Intent.State.UNKNOWN, 1, at, List.of(), "t3.micro");
    PlanInput in =
        input()
            .replicas(3)
            .subnets(ABC)
            .now(T0.plus(RETRY_AFTER))
            .instances(
                running("i-1", "subnet-b", minutesAgo(5)),
                running("i-2", "subnet-c", minutesAgo(5)))
            .intents(unknown)
            .build()
            .withInstanceTypes(unavailable(od("t3.micro", "us-east-1a")));

    Plan plan = FleetPlanner.plan(in);

    assertThat(plan.launches())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.token()).isEqualTo("tok-1");
              assertThat(l.retry()).isTrue();
              assertThat(l.instanceType()).isEqualTo("t3.micro");
            });
  }

  @Test
  void withoutAChoiceLaunchesNameNoType() {
    Plan plan = FleetPlanner.plan(input().replicas(2).subnets(ABC).build());

    assertThat(plan.launches()).extracting(Launch::instanceType).containsOnlyNulls();
  }
}
