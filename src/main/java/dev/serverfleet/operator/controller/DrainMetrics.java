package dev.serverfleet.operator.controller;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * {@code serverfleet_drain_seconds{action,outcome}}: how long pre-termination hooks took, from the
 * drain's start to its outcome (Succeeded, Failed, TimedOut; Abandoned counts under its cause).
 */
public final class DrainMetrics {
  private final MeterRegistry registry;

  public DrainMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void ended(String action, String outcome, Duration took) {
    Timer.builder("serverfleet.drain")
        .description("Pre-termination hooks, from start to outcome")
        .tag("action", action == null ? "none" : action)
        .tag("outcome", outcome)
        .register(registry)
        .record(took);
  }
}
