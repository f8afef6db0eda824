package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shared observation of EC2 as a JOSDK event source: a sweep (one paginated, tag-filtered
 * DescribeInstances for all fleets, see {@code InstancePoller}) on its own thread, whose result is
 * swapped into an {@link InstanceCache}; fleets whose view changed get an event.
 *
 * <p>Who holds what, for how long:
 *
 * <ul>
 *   <li>The sweep thread ({@code ec2-sweep}, one) makes the HTTP calls holding no lock at all; then
 *       it holds the cache's monitor for the in-memory swap (microseconds), then it hands events to
 *       JOSDK holding nothing.
 *   <li>Reconcile threads hold the cache's monitor only to read a fleet's observation or record a
 *       launch or termination: they never wait for a sweep in flight.
 *   <li>Sweeps never overlap and never pile up: the next starts one period after the previous
 *       ended. A sweep longer than the period is counted ({@code serverfleet_sweep_overruns_total})
 *       and logged, not queued.
 * </ul>
 *
 * <p>Start-up never calls EC2 (an unreachable EC2 must not fail the operator's start): the first
 * sweep runs at once on the sweep thread, and until one has completed {@link #synced()} is false,
 * reconciles do nothing (no instances would mean "launch everything"), and the source reports
 * itself unhealthy, which keeps {@code /readyz} false; so does a failed sweep, until one succeeds.
 * A failed sweep keeps the last snapshot (an empty answer would mean every instance is gone).
 *
 * <p>Between sweeps, the {@link FastLane} follows instances in flux on a second thread ({@code
 * ec2-fast-lane}) by the same rules: its describe holds no lock, it merges into the cache under the
 * cache's monitor, and the fleets whose view changed get an event the same way.
 */
public final class InstanceSweep extends AbstractEventSource<Instance, ServerFleet> {
  public static final String NAME = "ec2-instances";
  private static final Logger log = LoggerFactory.getLogger(InstanceSweep.class);

  /** One sweep of EC2, grouped by fleet; throws when any call fails. */
  @FunctionalInterface
  public interface Fetcher {
    Map<ResourceID, Set<Instance>> fetch();
  }

  /** A batched DescribeInstances by id for the fast lane: {@code Ec2Port::describeByIds}. */
  @FunctionalInterface
  public interface Describer {
    List<Instance> describe(Collection<String> instanceIds);
  }

  private final InstanceCache cache = new InstanceCache();
  private final Fetcher fetcher;
  private final Duration period;
  private final Clock clock;
  private final Timer sweeps;
  private final Timer failedSweeps;
  private final Counter overruns;
  private final Consumer<Map<ResourceID, Set<Instance>>> afterSweep;
  private final FastLane fastLane;
  private final Describer describer;
  private volatile boolean lastSweepFailed;
  private ScheduledExecutorService executor;
  private ScheduledExecutorService fastExecutor;

  /**
   * @param afterSweep runs on the sweep thread with each successful sweep's result (orphan
   *     collection)
   * @param describer describes instances by id for the fast lane ({@code Ec2Port::describeByIds})
   * @param fastPeriod how often the fast lane looks at instances in flux; zero turns it off
   */
  public InstanceSweep(
      Fetcher fetcher,
      Duration period,
      Clock clock,
      MeterRegistry registry,
      Consumer<Map<ResourceID, Set<Instance>>> afterSweep,
      Describer describer,
      Duration fastPeriod) {
    super(Instance.class, NAME);
    this.fetcher = fetcher;
    this.period = period;
    this.clock = clock;
    this.afterSweep = afterSweep;
    this.describer = describer;
    this.fastLane =
        fastPeriod.isZero()
            ? null
            : new FastLane(cache, describer, fastPeriod, period, clock, registry);
    this.sweeps =
        Timer.builder("serverfleet.sweep")
            .description("Sweeps of EC2 for all fleets")
            .tag("outcome", "success")
            .register(registry);
    this.failedSweeps =
        Timer.builder("serverfleet.sweep")
            .description("Sweeps of EC2 for all fleets")
            .tag("outcome", "error")
            .register(registry);
    this.overruns =
        Counter.builder("serverfleet.sweep.overruns")
            .description("Sweeps that took longer than the poll interval")
            .register(registry);
  }

  @Override
  public synchronized void start() throws OperatorException {
    super.start();
    executor = daemon("ec2-sweep");
    executor.scheduleWithFixedDelay(this::sweepOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    if (fastLane != null) {
      long every = fastLane.period().toMillis();
      fastExecutor = daemon("ec2-fast-lane");
      fastExecutor.scheduleWithFixedDelay(this::fastLaneOnce, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private static ScheduledExecutorService daemon(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** One round of the fast lane; public for tests that drive it by hand. Never throws. */
  public void fastLaneOnce() {
    if (fastLane == null) {
      return;
    }
    try {
      wake(fastLane.round());
    } catch (RuntimeException e) {
      log.warn("fast-lane round failed: {}", e.toString());
    }
  }

  private void wake(Set<ResourceID> fleets) {
    if (isRunning() && getEventHandler() != null) {
      fleets.forEach(fleet -> getEventHandler().handleEvent(new Event(fleet)));
    }
  }

  @Override
  public synchronized void stop() throws OperatorException {
    super.stop();
    if (executor != null) {
      executor.shutdownNow();
    }
    if (fastExecutor != null) {
      fastExecutor.shutdownNow();
    }
  }

  /** One sweep; public for tests that drive sweeps by hand. Never throws. */
  public void sweepOnce() {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    Map<ResourceID, Set<Instance>> fetched;
    try {
      fetched = fetcher.fetch();
    } catch (RuntimeException e) {
      failedSweeps.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      lastSweepFailed = true;
      log.warn("sweep of EC2 failed; keeping the last snapshot: {}", e.toString());
      return;
    }
    Set<ResourceID> changed = cache.sweepCompleted(fetched, started, clock.instant());
    long took = System.nanoTime() - t0;
    sweeps.record(took, TimeUnit.NANOSECONDS);
    lastSweepFailed = false;
    if (took > period.toNanos()) {
      overruns.increment();
      log.warn(
          "sweep of EC2 took {} ms, longer than the poll interval of {} ms; the next starts {} ms after it",
          took / 1_000_000,
          period.toMillis(),
          period.toMillis());
    }
    wake(changed);
    try {
      afterSweep.accept(fetched);
    } catch (RuntimeException e) {
      log.warn("after-sweep work failed: {}", e.toString());
    }
  }

  /** The fleet that has this instance (not gone), as last observed; empty when none has it. */
  public java.util.Optional<ResourceID> fleetOf(String instanceId) {
    return cache.fleetOf(instanceId);
  }

  /**
   * Describes these instances by id now (an event said they changed state) and lays the answer over
   * the cache as the fast lane does; the fleets whose view changed get an event. A failed describe
   * changes nothing: the sweep remains the truth.
   *
   * @param instances instance id to the fleet it was observed in
   */
  public void refresh(Map<String, ResourceID> instances) {
    Instant sent = clock.instant();
    try {
      wake(cache.refreshCompleted(instances, describer.describe(instances.keySet()), sent));
    } catch (RuntimeException e) {
      log.debug("describe of {} changed instance(s) failed: {}", instances.size(), e.toString());
    }
  }

  public boolean synced() {
    return cache.synced();
  }

  public Observation observe(ResourceID fleet) {
    return cache.observe(fleet);
  }

  public void launched(ResourceID fleet, Instance instance) {
    cache.launched(fleet, instance, clock.instant());
  }

  public void terminating(ResourceID fleet, String instanceId) {
    cache.terminating(fleet, instanceId, clock.instant());
  }

  public void forget(ResourceID fleet) {
    cache.forget(fleet);
  }

  @Override
  public Set<Instance> getSecondaryResources(ServerFleet primary) {
    return new HashSet<>(cache.observe(ResourceID.fromResource(primary)).all());
  }

  /**
   * Unhealthy while started and no sweep has succeeded yet, or the last one failed. Not started (a
   * standby replica waiting for the leader-election lease) is healthy: it has nothing to judge.
   */
  @Override
  public Status getStatus() {
    return !isRunning() || (cache.synced() && !lastSweepFailed) ? Status.HEALTHY : Status.UNHEALTHY;
  }
}
