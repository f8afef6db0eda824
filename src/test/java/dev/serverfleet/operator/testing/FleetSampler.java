package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Samples a fleet's instances from EC2 on a fixed period while a test changes it, and keeps the
 * extremes: the fewest running, the most live (pending + running), and how often instances of two
 * AMIs were live together.
 */
public final class FleetSampler implements AutoCloseable {
  private final Supplier<List<Instance>> source;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger samples = new AtomicInteger();
  private final AtomicInteger minRunning = new AtomicInteger(Integer.MAX_VALUE);
  private final AtomicInteger maxLive = new AtomicInteger();
  private final AtomicInteger mixed = new AtomicInteger();
  private volatile RuntimeException failure;

  private FleetSampler(Supplier<List<Instance>> source) {
    this.source = source;
  }

  public static FleetSampler start(Supplier<List<Instance>> source) {
    FleetSampler sampler = new FleetSampler(source);
    sampler.sample();
    sampler.timer.scheduleWithFixedDelay(sampler::sample, 100, 100, TimeUnit.MILLISECONDS);
    return sampler;
  }

  private void sample() {
    try {
      List<Instance> instances = source.get();
      int running =
          (int) instances.stream().filter(i -> i.state() == InstanceState.RUNNING).count();
      List<Instance> live = instances.stream().filter(i -> i.state().isLive()).toList();
      minRunning.accumulateAndGet(running, Math::min);
      maxLive.accumulateAndGet(live.size(), Math::max);
      if (live.stream().map(Instance::imageId).distinct().count() > 1) {
        mixed.incrementAndGet();
      }
      samples.incrementAndGet();
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  public int samples() {
    check();
    return samples.get();
  }

  public int minRunning() {
    check();
    return minRunning.get();
  }

  public int maxLive() {
    check();
    return maxLive.get();
  }

  public int mixedSamples() {
    check();
    return mixed.get();
  }

  private void check() {
    if (failure != null) {
      throw new IllegalStateException("sampling EC2 failed", failure);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
