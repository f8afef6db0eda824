package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Offering;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MarketPlannerTest {
  private static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");
  private static final Map<String, String> ZONES =
      Map.of("subnet-a", "za", "subnet-b", "zb", "subnet-c", "zc");

  private static InstanceTypeChoice choice(Set<Offering> unavailable) {
    return new InstanceTypeChoice(List.of("t3.micro"), Offering.SPOT, ZONES, unavailable);
  }

  private static Set<Offering> noSpotIn(String... zones) {
    Set<Offering> out = new HashSet<>();
    for (String z : zones) {
      out.add(new Offering(Offering.SPOT, "t3.micro", z));
    }
    return out;
  }

  private static MarketPlanner.Result plan(PlanInput in, CapacityMix mix) {
    return MarketPlanner.plan(in, FleetPlanner.plan(in), mix);
  }

  private static long count(Plan p, String market) {
    return p.launches().stream()
        .filter(l -> market.equals(l.capacityType()))
        .mapToInt(Launch::count)
        .sum();
  }

  @Test
  void newLaunchesAreSplitByTheMixAndDealtOverTheSubnets() {
    PlanInput in = input().replicas(6).subnets(SUBNETS).build().withInstanceTypes(choice(Set.of()));
    Plan p = plan(in, new CapacityMix(2, 50, false)).plan();

    assertThat(count(p, Offering.ON_DEMAND)).isEqualTo(4);
    assertThat(count(p, Offering.SPOT)).isEqualTo(2);
    Map<String, Set<String>> marketsBySubnet =
        p.launches().stream()
            .collect(
                Collectors.groupingBy(
                    Launch::subnetId,
                    Collectors.mapping(Launch::capacityType, Collectors.toSet())));
    assertThat(marketsBySubnet.get("subnet-a")).contains(Offering.ON_DEMAND);
    assertThat(marketsBySubnet.values()).allMatch(m -> m.contains(Offering.ON_DEMAND));
    // every launch has its own token and its intent, with the same market and count
    assertThat(p.launches()).extracting(Launch::token).doesNotHaveDuplicates();
    assertThat(p.intents())
        .extracting(Intent::token, Intent::count, Intent::capacityType)
        .containsExactlyInAnyOrderElementsOf(
            p.launches().stream()
                .map(
                    l ->
                        org.assertj.core.groups.Tuple.tuple(l.token(), l.count(), l.capacityType()))
                .toList());
  }

  @Test
  void withoutSpotAnywhereTheSpotPartGoesOnDemandOnlyWithFallback() {
    PlanInput in =
        input()
            .replicas(3)
            .subnets(SUBNETS)
            .build()
            .withInstanceTypes(choice(noSpotIn("za", "zb", "zc")));

    MarketPlanner.Result withFallback = plan(in, new CapacityMix(0, 0, true));
    assertThat(count(withFallback.plan(), Offering.ON_DEMAND)).isEqualTo(3);
    assertThat(withFallback.fallbacks()).extracting(MarketPlanner.Fallback::count).containsOnly(1);
    assertThat(withFallback.fallbacks()).hasSize(3);

    MarketPlanner.Result without = plan(in, CapacityMix.SPOT);
    assertThat(count(without.plan(), Offering.SPOT)).isEqualTo(3);
    assertThat(without.fallbacks()).isEmpty();
  }

  @Test
  void spotLeftInOtherZonesIsNoFallback() {
    // the planner avoids the exhausted subnet; the launches there go spot elsewhere
    PlanInput in =
        input().replicas(3).subnets(SUBNETS).build().withInstanceTypes(choice(noSpotIn("za")));
    MarketPlanner.Result r = plan(in, new CapacityMix(0, 0, true));
    assertThat(r.fallbacks()).isEmpty();
    assertThat(count(r.plan(), Offering.SPOT)).isEqualTo(3);
    assertThat(r.plan().launches()).noneMatch(l -> l.subnetId().equals("subnet-a"));
  }

  @Test
  void aFleetWithoutSpotGetsThePlanUnchanged() {
    PlanInput in = input().replicas(3).subnets(SUBNETS).build();
    Plan planned = FleetPlanner.plan(in);
    assertThat(MarketPlanner.plan(in, planned, CapacityMix.ON_DEMAND).plan()).isSameAs(planned);
  }

  private static List<Instance> fallbackFleet() {
    return List.of(
        running("i-a", "subnet-a", minutesAgo(30)),
        running("i-b", "subnet-b", minutesAgo(20)),
        running("i-c", "subnet-c", minutesAgo(10)));
  }

  @Test
  void aSteadyFleetOfFallbackInstancesLaunchesOneSpotWhenSpotIsBack() {
    PlanInput.Timing t = PlanFixtures.TIMING;
    var b = input().replicas(3).subnets(SUBNETS).instances(fallbackFleet()).timing(t);
    fallbackFleet().forEach(i -> b.readySince(i.id(), minutesAgo(60)));
    PlanInput in = b.build().withInstanceTypes(choice(Set.of()));

    Plan p = plan(in, new CapacityMix(0, 0, true)).plan();
    assertThat(p.terminations()).isEmpty();
    assertThat(p.launches())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.capacityType()).isEqualTo(Offering.SPOT);
              assertThat(l.count()).isEqualTo(1);
              assertThat(l.subnetId()).isEqualTo("subnet-c"); // the newest fallback's subnet
            });
    assertThat(p.intents()).singleElement().extracting(Intent::capacityType).isEqualTo("spot");

    // still no spot there: nothing
    PlanInput noSpot = b.build().withInstanceTypes(choice(noSpotIn("za", "zb", "zc")));
    assertThat(plan(noSpot, new CapacityMix(0, 0, true)).plan().launches()).isEmpty();
    // without fallback the instances stay
    assertThat(plan(in, CapacityMix.SPOT).plan().launches()).isEmpty();
    // maxSurge 0: no launch above replicas
    PlanInput noSurge =
        b.policy(policy().rolling(0, 1)).build().withInstanceTypes(choice(Set.of()));
    assertThat(plan(noSurge, new CapacityMix(0, 0, true)).plan().launches()).isEmpty();
  }

  private static PlanInput withSpot(Instance spot) {
    List<Instance> four = new java.util.ArrayList<>(fallbackFleet());
    four.add(spot);
    var b = input().replicas(3).subnets(SUBNETS).instances(four);
    fallbackFleet().forEach(i -> b.readySince(i.id(), minutesAgo(60)));
    return b.build().withInstanceTypes(choice(Set.of()));
  }

  @Test
  void theScaleInAfterTheSpotLaunchGivesUpAFallbackOnlyOnceTheSpotInstanceIsAvailable() {
    Plan waiting =
        plan(
                withSpot(PlanFixtures.pending("i-spot", "subnet-c", minutesAgo(1)).withSpot(true)),
                new CapacityMix(0, 0, true))
            .plan();
    assertThat(waiting.terminations()).as("the spot one is not available yet").isEmpty();
    assertThat(waiting.launches()).as("and no second spot launch meanwhile").isEmpty();

    Plan swapped =
        plan(
                withSpot(running("i-spot", "subnet-c", minutesAgo(1)).withSpot(true)),
                new CapacityMix(0, 0, true))
            .plan();
    assertThat(swapped.terminations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.instanceId()).isEqualTo("i-c"); // the fallback in the spot one's subnet
              assertThat(t.reason()).isEqualTo(Termination.Reason.SCALE_IN);
            });
  }
}
