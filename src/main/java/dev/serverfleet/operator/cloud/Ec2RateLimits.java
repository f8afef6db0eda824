package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * EC2's account request limits, kept on the client so that a mass sync (a GitOps tool applying a
 * thousand fleets) never turns into a RequestLimitExceeded storm that also throttles every other
 * tool in the account. One {@link TokenBucket} per action class, shared by every call of the
 * operator (both EC2 clients, every reconcile, the sweep and the fast lane), sized as AWS documents
 * its defaults (the client keeps some headroom below them: {@link #HEADROOM}, {@link
 * #RATE_HEADROOM}):
 *
 * <table>
 *   <caption>buckets</caption>
 *   <tr><th>class</th><th>actions</th><th>burst</th><th>refill per second</th></tr>
 *   <tr><td>DESCRIBE</td><td>Describe*, and anything not below</td><td>100</td><td>20</td></tr>
 *   <tr><td>RUN</td><td>RunInstances</td><td>5</td><td>2</td></tr>
 *   <tr><td>TERMINATE</td><td>TerminateInstances</td><td>100</td><td>5</td></tr>
 *   <tr><td>TAGS</td><td>CreateTags, DeleteTags</td><td>100</td><td>10</td></tr>
 * </table>
 *
 * RunInstances also draws on EC2's resource bucket of 1,000 instances (refilled at 2 per second),
 * which one RunInstances of up to 1,000 instances respects by itself. Metrics: {@code
 * serverfleet_ec2_rate_wait_seconds{class}} (time calls waited for a token), {@code
 * serverfleet_ec2_throttled_total{class}} (throttles EC2 still answered; each halves the rate) and
 * {@code serverfleet_ec2_rate_per_second{class}} (the adapted rate).
 */
public final class Ec2RateLimits {
  /**
   * The share of EC2's burst the client uses. Calls leave on schedule but arrive with jitter (a
   * busy CPU, the network): calls that left spread out may arrive together, when EC2's bucket has
   * topped out at its burst and lost the refill the spread allowed for. The headroom absorbs that.
   */
  static final double HEADROOM = 0.8;

  /** The share of EC2's refill rate the client uses, for the same reason. */
  static final double RATE_HEADROOM = 0.9;

  /** The action classes EC2 meters separately. */
  public enum ActionClass {
    DESCRIBE(100, 20),
    RUN(5, 2),
    TERMINATE(100, 5),
    TAGS(100, 10);

    final int burst;
    final double perSecond;

    ActionClass(int burst, double perSecond) {
      this.burst = burst;
      this.perSecond = perSecond;
    }

    static ActionClass of(String operation) {
      return switch (operation) {
        case "RunInstances" -> RUN;
        case "TerminateInstances" -> TERMINATE;
        case "CreateTags", "DeleteTags" -> TAGS;
        default -> DESCRIBE;
      };
    }
  }

  /** How a caller waits for a token: {@link Thread#sleep} in production, recorded in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private final Map<ActionClass, TokenBucket> buckets = new EnumMap<>(ActionClass.class);
  private final Map<ActionClass, Timer> waits = new EnumMap<>(ActionClass.class);
  private final Map<ActionClass, Counter> throttles = new EnumMap<>(ActionClass.class);
  private final Sleeper sleeper;

  /** EC2's default buckets, on the system clock. */
  public Ec2RateLimits(MeterRegistry registry) {
    this(registry, System::nanoTime, (nanos) -> TimeUnit.NANOSECONDS.sleep(nanos));
  }

  Ec2RateLimits(MeterRegistry registry, LongSupplier nanos, Sleeper sleeper) {
    this.sleeper = sleeper;
    for (ActionClass c : ActionClass.values()) {
      TokenBucket bucket =
          new TokenBucket(
              (int) Math.max(1, Math.floor(c.burst * HEADROOM)),
              c.perSecond * RATE_HEADROOM,
              nanos);
      buckets.put(c, bucket);
      String name = c.name().toLowerCase(java.util.Locale.ROOT);
      waits.put(
          c, Timer.builder("serverfleet.ec2.rate.wait").tag("class", name).register(registry));
      throttles.put(
          c, Counter.builder("serverfleet.ec2.throttled").tag("class", name).register(registry));
      Gauge.builder("serverfleet.ec2.rate.per.second", bucket, TokenBucket::rate)
          .tag("class", name)
          .register(registry);
    }
  }

  /** Waits until the operation's bucket has a token for it. */
  public void acquire(String operation) {
    ActionClass c = ActionClass.of(operation);
    long wait = buckets.get(c).reserve();
    waits.get(c).record(Duration.ofNanos(wait));
    if (wait > 0) {
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting to call " + operation, e);
      }
    }
  }

  /** EC2 answered the operation with a throttle (or a 503): slow its class down. */
  public void throttled(String operation) {
    ActionClass c = ActionClass.of(operation);
    throttles.get(c).increment();
    buckets.get(c).throttled();
  }

  /** The operation went through: let its class speed up again. */
  public void succeeded(String operation) {
    buckets.get(ActionClass.of(operation)).succeeded();
  }

  double rate(ActionClass c) {
    return buckets.get(c).rate();
  }
}
