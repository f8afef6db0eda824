package dev.serverfleet.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FleetSpreadTest {
  private static final List<String> SUBNETS = List.of("a", "b", "c");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(Map.of(), 5, Map.of("a", 2, "b", 2, "c", 1)),
        Arguments.of(Map.of(), 1, Map.of("a", 1)),
        Arguments.of(Map.of(), 0, Map.of()),
        Arguments.of(Map.of(), 10, Map.of("a", 4, "b", 3, "c", 3)),
        Arguments.of(Map.of("a", 2, "b", 2, "c", 1), 5, Map.of("a", 2, "b", 1, "c", 2)),
        Arguments.of(Map.of("a", 5), 3, Map.of("b", 2, "c", 1)),
        Arguments.of(Map.of("b", 1, "x", 9), 2, Map.of("a", 1, "c", 1)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void addsEachInstanceToTheSubnetWithFewest(
      Map<String, Integer> current, int count, Map<String, Integer> expected) {
    Map<String, Integer> added = FleetSpread.topUp(SUBNETS, current, count);
    assertThat(added).isEqualTo(expected);
    assertThat(added.values()).allMatch(n -> n > 0);
    assertThat(List.copyOf(added.keySet()))
        .isEqualTo(SUBNETS.stream().filter(added::containsKey).toList());
  }
}
