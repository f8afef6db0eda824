package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast lane: between full sweeps, instances in flux (pending, just launched, stopping,
 * shutting-down, a termination just requested; see {@link InstanceCache#inFlux}), across all
 * fleets, are described by id, so that a fleet's status follows an instance turning running or
 * terminated within seconds rather than a sweep period later. What it sees goes into the cache
 * ({@link InstanceCache#refreshCompleted}), and the fleets whose view changed are reconciled.
 *
 * <p>Cost: a {@link #round} runs every {@code period}; it describes only the instances that are
 * due, all of them in one batched DescribeInstances (at most 1,000 ids per call), so a round makes
 * at most ⌈in flux / 1000⌉ calls (plus one per batch EC2 refuses for an id it does not know yet),
 * and none when nothing is due. An instance is due {@code period} after it was first seen in its
 * state, then again after {@code max(period, min(ceiling, time in that state / 8))}: instances that
 * settle quickly are followed closely, one stuck in a state backs off to the sweep period ({@code
 * ceiling}) and is seen at most about 1/8 of its time in flux late. A new state starts over.
 *
 * <p>A failed describe changes nothing (the sweep remains the truth) and the instances are asked
 * again after their interval. Single-threaded: one thread calls {@link #round}; it holds no lock
 * during the call, the cache's monitor only to read and merge.
 *
 * <p>Metrics: {@code serverfleet_fast_lane_describes_seconds{outcome}} (rounds that described),
 * {@code serverfleet_fast_lane_instances} (instances in flux at the last round).
 */
final class FastLane {
  private static final Logger log = LoggerFactory.getLogger(FastLane.class);
  static final String IN_FLUX_GAUGE = "serverfleet.fast.lane.instances";

  private record Track(InstanceState state, Instant since, Instant nextAt) {}

  private final InstanceCache cache;
  private final InstanceSweep.Describer describer;
  private final Duration period;
  private final Duration ceiling;
  private final Clock clock;
  private final Map<String, Track> tracks = new HashMap<>();
  private final AtomicInteger inFlux = new AtomicInteger();
  private final Timer described;
  private final Timer failed;

  /**
   * @param period how often a round runs, and the shortest interval between two describes of one
   *     instance
   * @param ceiling the longest interval (the sweep period); at least {@code period}
   */
  FastLane(
      InstanceCache cache,
      InstanceSweep.Describer describer,
      Duration period,
      Duration ceiling,
      Clock clock,
      MeterRegistry registry) {
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    this.cache = cache;
    this.describer = describer;
    this.period = period;
    this.ceiling = ceiling.compareTo(period) < 0 ? period : ceiling;
    this.clock = clock;
    // The last fast lane built owns the gauge (a start that Main retries builds another).
    Gauge stale = registry.find(IN_FLUX_GAUGE).gauge();
    if (stale != null) {
      registry.remove(stale);
    }
    Gauge.builder(IN_FLUX_GAUGE, inFlux, AtomicInteger::get)
        .description("Instances in flux (pending, stopping, shutting-down) the fast lane follows")
        .register(registry);
    this.described = timer(registry, "success");
    this.failed = timer(registry, "error");
  }

  private static Timer timer(MeterRegistry registry, String outcome) {
    return Timer.builder("serverfleet.fast.lane.describes")
        .description("Fast-lane rounds that described instances in flux by id")
        .tag("outcome", outcome)
        .register(registry);
  }

  Duration period() {
    return period;
  }

  /**
   * Describes the instances that are due, and merges the answer into the cache. Never throws.
   *
   * @return the fleets whose observation changed: they need a reconcile
   */
  Set<ResourceID> round() {
    Instant now = clock.instant();
    Map<String, InstanceCache.InFlux> flux = cache.inFlux();
    inFlux.set(flux.size());
    tracks.keySet().retainAll(flux.keySet());
    Map<String, ResourceID> due = new LinkedHashMap<>();
    flux.forEach(
        (id, f) -> {
          Track t = tracks.get(id);
          if (t == null || t.state() != f.state()) {
            t = new Track(f.state(), now, now.plus(period));
            tracks.put(id, t);
          }
          // Rounds run on the JVM's timer: one that reads the clock a little early still counts.
          if (!t.nextAt().isAfter(now.plus(period.dividedBy(4)))) {
            due.put(id, f.fleet());
          }
        });
    if (due.isEmpty()) {
      return Set.of();
    }
    due.keySet()
        .forEach(
            id -> {
              Track t = tracks.get(id);
              tracks.put(
                  id,
                  new Track(
                      t.state(), t.since(), now.plus(interval(Duration.between(t.since(), now)))));
            });
    long t0 = System.nanoTime();
    List<Instance> shown;
    try {
      shown = describer.describe(due.keySet());
    } catch (CloudException e) {
      failed.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      log.debug(
          "fast-lane describe of {} instance(s) failed ({}); the sweep remains the truth: {}",
          due.size(),
          e.code(),
          e.getMessage());
      return Set.of();
    }
    described.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    return cache.refreshCompleted(due, shown, now);
  }

  /** How long until an instance that has been in its state for {@code age} is described again. */
  Duration interval(Duration age) {
    Duration eighth = age.dividedBy(8);
    if (eighth.compareTo(period) < 0) {
      return period;
    }
    return eighth.compareTo(ceiling) > 0 ? ceiling : eighth;
  }
}
