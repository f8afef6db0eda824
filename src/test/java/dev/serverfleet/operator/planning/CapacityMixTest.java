package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.fleet.Instance;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapacityMixTest {

  /** Auto Scaling's documented examples and the edges of rounding up. */
  @ParameterizedTest(name = "base {0}, {1}% above, {2} instances: {3} on-demand")
  @CsvSource({
    // AWS docs: base 10, 50% above, 20 desired: 10 + 5 on-demand, 5 spot
    "10, 50, 20, 15",
    "0, 0, 10, 0",
    "0, 100, 10, 10",
    "2, 0, 10, 2",
    "2, 0, 1, 1",
    "2, 50, 2, 2",
    // 3 above the base at 50%: 1.5 rounded up
    "2, 50, 5, 4",
    "0, 50, 1, 1",
    "0, 1, 1, 1",
    "0, 1, 100, 1",
    "0, 1, 101, 2",
    "0, 99, 100, 99",
    "0, 99, 101, 100",
    "0, 25, 4, 1",
    "0, 25, 5, 2",
    "0, 70, 0, 0",
    "5, 70, 0, 0",
  })
  void onDemandCountAsAsgsRoundIt(int base, int percent, int total, int onDemand) {
    CapacityMix mix = new CapacityMix(base, percent, false);
    assertThat(mix.onDemand(total)).isEqualTo(onDemand);
    assertThat(mix.spot(total)).isEqualTo(total - onDemand);
  }

  /**
   * Every base 0..12, percentage 0..100 and size 0..60 against the arithmetic of the definition.
   */
  @Test
  void onDemandCountIsTheBasePlusTheRoundedUpPercentageForEveryCombination() {
    int checked = 0;
    for (int base = 0; base <= 12; base++) {
      for (int percent = 0; percent <= 100; percent++) {
        CapacityMix mix = new CapacityMix(base, percent, false);
        int previous = 0;
        for (int total = 0; total <= 60; total++) {
          int above = Math.max(0, total - base);
          int expected =
              Math.min(total, base)
                  + BigDecimal.valueOf(above)
                      .multiply(BigDecimal.valueOf(percent))
                      .divide(BigDecimal.valueOf(100), 0, RoundingMode.CEILING)
                      .intValueExact();
          assertThat(mix.onDemand(total))
              .as("%d/%d%%/%d", base, percent, total)
              .isEqualTo(expected);
          // monotone: growing the fleet never turns an on-demand instance into a spot one
          assertThat(mix.onDemand(total)).isGreaterThanOrEqualTo(previous);
          assertThat(mix.spot(total)).isBetween(0, total);
          previous = mix.onDemand(total);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(13 * 101 * 61);
  }

  @Test
  void onDemandTypeMeansEveryInstanceOnDemandAndSpotTypeNone() {
    for (int total = 0; total <= 50; total++) {
      assertThat(CapacityMix.ON_DEMAND.onDemand(total)).isEqualTo(total);
      assertThat(CapacityMix.SPOT.onDemand(total)).isZero();
    }
    assertThat(CapacityMix.ON_DEMAND.usesSpot()).isFalse();
    assertThat(CapacityMix.SPOT.usesSpot()).isTrue();
    assertThat(new CapacityMix(3, 100, false).usesSpot()).isFalse();
  }

  @Test
  void refusesAPercentageOutOfRange() {
    assertThatThrownBy(() -> new CapacityMix(0, 101, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CapacityMix(-1, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // label, base, percent, total, od have, spot have, count, expected (O on-demand, S spot)
    "empty fleet: base first then the percentage, 2, 50, 6, 0, 0, 6, OOOOSS",
    "all spot, 0, 0, 3, 0, 0, 3, SSS",
    "base only, 2, 0, 4, 0, 0, 4, OOSS",
    "spot short: spot first, 1, 0, 4, 1, 1, 2, SS",
    "on-demand short: on-demand first, 2, 0, 4, 0, 2, 2, OO",
    "surge keeps the mix of the larger fleet, 0, 50, 4, 2, 2, 2, OS",
    "nothing asked, 0, 50, 4, 2, 2, 0, ''",
  })
  void launchesFillTheMarketShortOfItsShare(
      String label, int base, int percent, int total, int od, int sp, int count, String expected) {
    List<Boolean> spot = new CapacityMix(base, percent, false).nextLaunches(total, od, sp, count);
    StringBuilder got = new StringBuilder();
    spot.forEach(s -> got.append(s ? 'S' : 'O'));
    assertThat(got.toString()).isEqualTo(expected == null ? "" : expected);
  }

  @Test
  void scaleInGivesUpTheMarketAboveItsShareFirst() {
    // base 1, 50%: 4 instances are 1 + ceil(1.5)=3 on-demand... 4 -> 1 + 2 = 3 od, 1 spot
    CapacityMix mix = new CapacityMix(1, 50, false);
    Instance od1 = running("i-od1", "subnet-a", minutesAgo(40));
    Instance od2 = running("i-od2", "subnet-a", minutesAgo(30));
    Instance od3 = running("i-od3", "subnet-a", minutesAgo(20));
    Instance sp1 = running("i-sp1", "subnet-a", minutesAgo(10)).withSpot(true);
    List<Instance> all = List.of(od1, od2, od3, sp1);
    assertThat(mix.onDemand(4)).isEqualTo(3);
    // 3 left: 1 + ceil(1) = 2 on-demand, so an on-demand one goes first (the caller's first)
    // 2 left: 1 + ceil(0.5) = 2 on-demand, so the spot one goes next although it is listed last
    assertThat(mix.scaleInOrder(all, all)).containsExactly(od1, sp1, od2, od3);
  }

  @Test
  void scaleInKeepsTheCallersOrderWhenBothMarketsAreAtTheirShare() {
    CapacityMix mix = CapacityMix.SPOT;
    Instance a = running("i-a", "subnet-a", minutesAgo(3)).withSpot(true);
    Instance b = running("i-b", "subnet-a", minutesAgo(2)).withSpot(true);
    assertThat(mix.scaleInOrder(List.of(a, b), List.of(b, a))).containsExactly(b, a);
  }

  @Test
  void fallbackOnDemandAreTheOnDemandInstancesAboveTheShareNewestFirst() {
    CapacityMix mix = new CapacityMix(1, 0, true);
    Instance base = running("i-base", "subnet-a", minutesAgo(50));
    Instance old = running("i-old", "subnet-a", minutesAgo(40));
    Instance young = running("i-young", "subnet-b", minutesAgo(5));
    Instance spot = running("i-spot", "subnet-c", minutesAgo(5)).withSpot(true);
    assertThat(mix.fallbackOnDemand(List.of(base, old, young, spot))).containsExactly(young, old);
    assertThat(mix.fallbackOnDemand(List.of(base, spot))).isEmpty();
    assertThat(CapacityMix.ON_DEMAND.fallbackOnDemand(List.of(base, old))).isEmpty();
  }

  /** Scale-in of every prefix of a mixed fleet, in every caller order, keeps the mix. */
  @Test
  void everyScaleInKeepsTheMixWhenTheCallerOffersEveryInstance() {
    for (int base = 0; base <= 3; base++) {
      for (int percent : new int[] {0, 10, 33, 50, 67, 100}) {
        CapacityMix mix = new CapacityMix(base, percent, false);
        for (int total = 1; total <= 12; total++) {
          List<Instance> fleet = fleet(mix.onDemand(total), mix.spot(total));
          List<Instance> order = new ArrayList<>(fleet);
          Collections.reverse(order);
          List<Instance> victims = mix.scaleInOrder(fleet, order);
          for (int gone = 0; gone <= total; gone++) {
            List<Instance> kept = new ArrayList<>(fleet);
            kept.removeAll(victims.subList(0, gone));
            long od = kept.stream().filter(i -> !i.spot()).count();
            assertThat(od)
                .as("%d/%d%% %d-%d", base, percent, total, gone)
                .isEqualTo(mix.onDemand(kept.size()));
          }
        }
      }
    }
  }

  static List<Instance> fleet(int onDemand, int spot) {
    List<Instance> out = new ArrayList<>();
    for (int i = 0; i < onDemand; i++) {
      out.add(running("i-od" + i, "subnet-a", minutesAgo(100 - i)));
    }
    for (int i = 0; i < spot; i++) {
      out.add(running("i-sp" + i, "subnet-a", minutesAgo(50 - i)).withSpot(true));
    }
    return out;
  }
}
