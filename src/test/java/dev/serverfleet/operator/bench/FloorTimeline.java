package dev.serverfleet.operator.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Instances live over a floor run, as the answers tell them: a point (seconds since the start,
 * instances live) after every RunInstances and TerminateInstances answer. Moto launches straight
 * into running, so there "live" is "running". Thread-safe.
 */
final class FloorTimeline {
  private final long startNanos;
  private final List<double[]> points = new ArrayList<>();
  private int live;

  FloorTimeline(long startNanos, int live) {
    this.startNanos = startNanos;
    this.live = live;
    points.add(new double[] {0, live});
  }

  /** An answer launched ({@code delta > 0}) or terminated ({@code delta < 0}) instances. */
  synchronized void changed(int delta, long nowNanos) {
    live += delta;
    points.add(new double[] {(nowNanos - startNanos) / 1e9, live});
  }

  synchronized List<double[]> points() {
    return List.copyOf(points);
  }
}
