package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bounds a Deployment would resolve for the same numbers: k8s.io/kubernetes
 * pkg/controller/deployment/util ResolveFenceposts (surge = GetScaledValueFromIntOrPercent(…,
 * roundUp=true), unavailable = …(roundUp=false), both 0 → unavailable 1).
 */
class RolloutBoundsTest {

  @ParameterizedTest(name = "replicas {0}, maxSurge {1}, maxUnavailable {2} → {3}/{4}")
  @MethodSource("deploymentCases")
  void resolvesLikeADeployment(
      int replicas, Object surge, Object unavailable, int expectedSurge, int expectedUnavailable) {
    assertThat(RolloutBounds.resolve(surge, unavailable, replicas))
        .isEqualTo(new RolloutBounds(expectedSurge, expectedUnavailable));
  }

  static Stream<Arguments> deploymentCases() {
    return Stream.of(
        // the Deployment defaults (25%/25%) and the cases k8s' own tests use
        Arguments.of(10, "25%", "25%", 3, 2),
        Arguments.of(1, "25%", "25%", 1, 0),
        Arguments.of(4, "25%", "25%", 1, 1),
        Arguments.of(3, "25%", "25%", 1, 0),
        Arguments.of(5, "25%", "25%", 2, 1),
        // both zero: one may be unavailable so that the rollout can move at all
        Arguments.of(10, 0, 0, 0, 1),
        Arguments.of(10, "0%", "0%", 0, 1),
        Arguments.of(10, "0%", 0, 0, 1),
        Arguments.of(10, 0, "0%", 0, 1),
        // percentages that round to zero count as zero too
        Arguments.of(1, "0%", "25%", 0, 1),
        Arguments.of(3, "0%", "33%", 0, 1),
        Arguments.of(1, 0, "99%", 0, 1),
        // integers are taken as they are
        Arguments.of(4, 1, 0, 1, 0),
        Arguments.of(4, 0, 1, 0, 1),
        Arguments.of(4, 2, 3, 2, 3),
        Arguments.of(4, 10, 10, 10, 10),
        Arguments.of(4, "1", "0", 1, 0),
        // mixed
        Arguments.of(10, 2, "10%", 2, 1),
        Arguments.of(10, "10%", 2, 1, 2),
        // rounding: surge up, unavailable down
        Arguments.of(10, "33%", "33%", 4, 3),
        Arguments.of(7, "30%", "30%", 3, 2),
        Arguments.of(5, "50%", "50%", 3, 2),
        Arguments.of(3, "34%", "34%", 2, 1),
        Arguments.of(3, "1%", "99%", 1, 2),
        Arguments.of(9, "10%", "10%", 1, 0),
        Arguments.of(100, "1%", "1%", 1, 1),
        Arguments.of(1000, "1%", "1%", 10, 10),
        Arguments.of(999, "1%", "1%", 10, 9),
        // 100%, and a surge above it (a Deployment allows that; unavailable is validated to ≤ 100%)
        Arguments.of(10, "100%", "100%", 10, 10),
        Arguments.of(3, "100%", "0%", 3, 0),
        Arguments.of(10, "200%", "0%", 20, 0),
        // replicas 0: every percentage is 0, so one may be unavailable
        Arguments.of(0, "25%", "25%", 0, 1),
        Arguments.of(0, "100%", "100%", 0, 1),
        Arguments.of(0, 2, 3, 2, 3),
        Arguments.of(0, 1, "50%", 1, 0),
        // unset fields: our defaults, maxSurge 25% and maxUnavailable 0
        Arguments.of(10, null, null, 3, 0),
        Arguments.of(4, null, null, 1, 0),
        Arguments.of(1, null, null, 1, 0),
        Arguments.of(0, null, null, 0, 1),
        Arguments.of(10, null, "50%", 3, 5),
        Arguments.of(10, 0, null, 0, 1));
  }

  @Test
  void whenBothAreZeroOnlyUnavailableIsRaised() {
    RolloutBounds bounds = RolloutBounds.resolve("0%", "0%", 50);

    assertThat(bounds.maxSurge()).isZero();
    assertThat(bounds.maxUnavailable()).isEqualTo(1);
  }

  @Test
  void neverNegative() {
    assertThatThrownBy(() -> new RolloutBounds(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RolloutBounds(0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RolloutBounds.resolve(-1, 1, 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
