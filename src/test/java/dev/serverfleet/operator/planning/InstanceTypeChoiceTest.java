package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.fleet.Offering;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InstanceTypeChoiceTest {
  private static final List<String> TYPES = List.of("m7i.large", "m6i.large", "m5.large");
  private static final Map<String, String> ZONES =
      Map.of("subnet-a", "us-east-1a", "subnet-b", "us-east-1b", "subnet-a2", "us-east-1a");

  private static Offering od(String type, String zone) {
    return new Offering(Offering.ON_DEMAND, type, zone);
  }

  private static InstanceTypeChoice choice(Offering... unavailable) {
    return new InstanceTypeChoice(TYPES, Offering.ON_DEMAND, ZONES, Set.of(unavailable));
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("nothing unavailable: the preferred type", Set.of(), "subnet-a", "m7i.large"),
        Arguments.of(
            "the preferred type out in the zone: the next",
            Set.of(od("m7i.large", "us-east-1a")),
            "subnet-a",
            "m6i.large"),
        Arguments.of(
            "two out: the third",
            Set.of(od("m7i.large", "us-east-1a"), od("m6i.large", "us-east-1a")),
            "subnet-a",
            "m5.large"),
        Arguments.of(
            "a later type out changes nothing",
            Set.of(od("m6i.large", "us-east-1a")),
            "subnet-a",
            "m7i.large"),
        Arguments.of(
            "a shortage in another zone changes nothing",
            Set.of(od("m7i.large", "us-east-1b")),
            "subnet-a",
            "m7i.large"),
        Arguments.of(
            "another subnet of the same zone shares the zone's shortage",
            Set.of(od("m7i.large", "us-east-1a")),
            "subnet-a2",
            "m6i.large"),
        Arguments.of(
            "a spot shortage says nothing about on-demand",
            Set.of(new Offering(Offering.SPOT, "m7i.large", "us-east-1a")),
            "subnet-a",
            "m7i.large"),
        Arguments.of(
            "a subnet of unknown zone: the preferred type whatever is out",
            Set.of(od("m7i.large", "us-east-1a"), od("m7i.large", "us-east-1b")),
            "subnet-unknown",
            "m7i.large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void choosesTheFirstAvailableTypeInTheSubnetsZone(
      String name, Set<Offering> unavailable, String subnet, String expected) {
    InstanceTypeChoice c = new InstanceTypeChoice(TYPES, Offering.ON_DEMAND, ZONES, unavailable);

    assertThat(c.typeFor(subnet)).isEqualTo(expected);
    assertThat(c.available(subnet)).contains(expected);
    assertThat(c.exhausted(List.of(subnet))).isEmpty();
  }

  @Test
  void aSubnetWithEveryTypeOutIsExhaustedAndFallsBackToThePreferredType() {
    InstanceTypeChoice c =
        choice(
            od("m7i.large", "us-east-1a"),
            od("m6i.large", "us-east-1a"),
            od("m5.large", "us-east-1a"));

    assertThat(c.available("subnet-a")).isEmpty();
    assertThat(c.typeFor("subnet-a")).isEqualTo("m7i.large");
    assertThat(c.exhausted(List.of("subnet-a", "subnet-b", "subnet-a2")))
        .containsExactlyInAnyOrder("subnet-a", "subnet-a2");
  }

  @Test
  void spotFleetsAreJudgedBySpotOfferings() {
    InstanceTypeChoice c =
        new InstanceTypeChoice(
            TYPES,
            Offering.SPOT,
            ZONES,
            Set.of(
                new Offering(Offering.SPOT, "m7i.large", "us-east-1a"),
                od("m6i.large", "us-east-1a")));

    assertThat(c.typeFor("subnet-a")).isEqualTo("m6i.large");
  }

  @Test
  void withoutAddsOneOfferingAndLeavesTheChoiceItCameFrom() {
    InstanceTypeChoice before = choice();
    InstanceTypeChoice after = before.without(od("m7i.large", "us-east-1a"));

    assertThat(before.typeFor("subnet-a")).isEqualTo("m7i.large");
    assertThat(after.typeFor("subnet-a")).isEqualTo("m6i.large");
    assertThat(after.typeFor("subnet-b")).isEqualTo("m7i.large");
  }

  /** Every subset of (type × zone) shortages, every subnet: the rule holds exhaustively. */
  @Test
  void exhaustivelyTheFirstTypeNotOutInTheZoneOrNone() {
    List<Offering> all = new ArrayList<>();
    for (String zone : List.of("us-east-1a", "us-east-1b")) {
      TYPES.forEach(t -> all.add(od(t, zone)));
    }
    for (int mask = 0; mask < (1 << all.size()); mask++) {
      Set<Offering> out = new java.util.HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        if ((mask & (1 << i)) != 0) {
          out.add(all.get(i));
        }
      }
      InstanceTypeChoice c = new InstanceTypeChoice(TYPES, Offering.ON_DEMAND, ZONES, out);
      for (String subnet : ZONES.keySet()) {
        String zone = ZONES.get(subnet);
        Optional<String> expected =
            TYPES.stream().filter(t -> !out.contains(od(t, zone))).findFirst();
        assertThat(c.available(subnet)).as("%s with %s out", subnet, out).isEqualTo(expected);
        assertThat(c.typeFor(subnet)).isEqualTo(expected.orElse(TYPES.get(0)));
        assertThat(c.exhausted(List.of(subnet)).isEmpty()).isEqualTo(expected.isPresent());
      }
    }
  }

  @Test
  void needsATypeAndAllowsOneWithNothingKnown() {
    assertThatThrownBy(() -> new InstanceTypeChoice(List.of(), Offering.ON_DEMAND, ZONES, Set.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(InstanceTypeChoice.only("t3.micro").typeFor("subnet-a")).isEqualTo("t3.micro");
  }
}
