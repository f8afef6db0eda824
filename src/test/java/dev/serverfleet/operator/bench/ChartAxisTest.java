package dev.serverfleet.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChartAxisTest {
  @ParameterizedTest
  @CsvSource({
    "20, 20, 5",
    "100, 100, 20",
    "27.7, 30, 5",
    "10000, 10000, 2000",
    "1234, 1400, 200",
    "0.9, 1.0, 0.2",
    "0, 1.0, 0.2",
    "-3, 1.0, 0.2"
  })
  void endsAtARoundNumberWithRoundSteps(double dataMax, double max, double step) {
    ChartAxis axis = ChartAxis.upTo(dataMax);
    assertThat(axis.max()).isCloseTo(max, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(axis.step()).isCloseTo(step, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void ticksRunFromZeroToTheMaximum() {
    ChartAxis axis = ChartAxis.upTo(27.7);
    assertThat(axis.ticks()).containsExactly(0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0);
    assertThat(axis.label(25)).isEqualTo("25");
    assertThat(ChartAxis.upTo(10_000).label(4000)).isEqualTo("4,000");
  }
}
