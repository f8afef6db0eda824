package dev.serverfleet.operator.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An axis from 0 to a round number at or above the data's maximum, with ticks at a round step (1, 2
 * or 5 times a power of ten) so that there are about {@code TARGET_TICKS} of them. Pure.
 */
record ChartAxis(double max, double step) {
  static final int TARGET_TICKS = 8;

  static ChartAxis upTo(double dataMax) {
    double span = dataMax > 0 ? dataMax : 1;
    double raw = span / TARGET_TICKS;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = magnitude;
    for (double factor : new double[] {1, 2, 5, 10}) {
      step = factor * magnitude;
      if (step >= raw) {
        break;
      }
    }
    return new ChartAxis(Math.ceil(span / step - 1e-9) * step, step);
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; i * step <= max + step / 1e6; i++) {
      ticks.add(i * step);
    }
    return ticks;
  }

  /** A tick's label: no decimals for whole steps. */
  String label(double value) {
    return step >= 1
        ? String.format(Locale.ROOT, "%,d", Math.round(value))
        : String.format(Locale.ROOT, "%.2f", value);
  }
}
