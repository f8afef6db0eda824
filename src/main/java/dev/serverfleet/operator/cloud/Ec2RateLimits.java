package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * EC2's account request limits, kept on the client so that a mass sync (a GitOps tool applying a
 * thousand fleets) never turns into a RequestLimitExceeded storm that also throttles every other
 * tool in the account. One {@link TokenBucket} per action class, shared by every call of the
 * operator (both EC2 clients, every reconcile, the sweep and the fast lane), sized as AWS documents
 * its defaults or as {@code --ec2-rate-limits} says ({@link Ec2Buckets}); the client keeps some
 * headroom below them ({@link #HEADROOM}, {@link #RATE_HEADROOM}):
 *
 * <table>
 *   <caption>buckets (EC2's defaults)</caption>
 *   <tr><th>class</th><th>actions</th><th>burst</th><th>refill per second</th></tr>
 *   <tr><td>describe</td><td>Describe*, and anything not below</td><td>100</td><td>20</td></tr>
 *   <tr><td>run</td><td>RunInstances (requests)</td><td>5</td><td>2</td></tr>
 *   <tr><td>run-instances</td><td>RunInstances (instances: a call takes MaxCount)</td>
 *     <td>1,000</td><td>2</td></tr>
 *   <tr><td>terminate</td><td>TerminateInstances</td><td>100</td><td>5</td></tr>
 *   <tr><td>tags</td><td>CreateTags, DeleteTags</td><td>100</td><td>10</td></tr>
 * </table>
 *
 * A RunInstances goes when both of its buckets allow it; one of more instances than the burst waits
 * for a full bucket only. When tokens are scarce, calls are let through fairly across the fleets
 * making them ({@link FairQueue}, weighted by instances for RunInstances): a reconcile pass names
 * its fleet with {@link #caller}; calls outside one (the sweep, the fast lane, the orphan
 * collector) share the caller {@value #OPERATOR}. Metrics: {@code
 * serverfleet_ec2_rate_wait_seconds{class}} (time calls waited for their turn and tokens), {@code
 * serverfleet_ec2_rate_waiting{class}} (calls waiting now), {@code
 * serverfleet_ec2_throttled_total{class}} (throttles EC2 still answered; each halves the rate) and
 * {@code serverfleet_ec2_rate_per_second{class}} (the adapted rate, run-instances included).
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

  /** The caller of calls made outside a fleet's reconcile pass. */
  public static final String OPERATOR = "operator";

  private static final ThreadLocal<String> CALLER = new ThreadLocal<>();

  /** The action classes EC2 meters separately, each with its (request) bucket. */
  public enum ActionClass {
    DESCRIBE(Ec2Buckets.Bucket.DESCRIBE),
    RUN(Ec2Buckets.Bucket.RUN),
    TERMINATE(Ec2Buckets.Bucket.TERMINATE),
    TAGS(Ec2Buckets.Bucket.TAGS);

    final Ec2Buckets.Bucket bucket;

    ActionClass(Ec2Buckets.Bucket bucket) {
      this.bucket = bucket;
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

  /** Names the caller of the EC2 calls this thread makes until closed. */
  public interface Caller extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<ActionClass, BucketQueue> queues = new EnumMap<>(ActionClass.class);
  private final Map<ActionClass, Timer> waits = new EnumMap<>(ActionClass.class);
  private final Map<ActionClass, Counter> throttles = new EnumMap<>(ActionClass.class);

  /** EC2's default buckets, on the system clock. */
  public Ec2RateLimits(MeterRegistry registry) {
    this(registry, Ec2Buckets.EC2_DEFAULTS);
  }

  /** These buckets, on the system clock. */
  public Ec2RateLimits(MeterRegistry registry, Ec2Buckets sizes) {
    this(registry, sizes, System::nanoTime, BucketQueue.TIMED);
  }

  Ec2RateLimits(
      MeterRegistry registry, Ec2Buckets sizes, LongSupplier nanos, BucketQueue.Waiter waiter) {
    for (ActionClass c : ActionClass.values()) {
      TokenBucket requests = bucket(registry, sizes, c.bucket, nanos);
      Optional<TokenBucket> instances =
          c == ActionClass.RUN
              ? Optional.of(bucket(registry, sizes, Ec2Buckets.Bucket.RUN_INSTANCES, nanos))
              : Optional.empty();
      BucketQueue queue = new BucketQueue(requests, instances, nanos, waiter);
      queues.put(c, queue);
      String name = c.bucket.flagName();
      waits.put(
          c, Timer.builder("serverfleet.ec2.rate.wait").tag("class", name).register(registry));
      throttles.put(
          c, Counter.builder("serverfleet.ec2.throttled").tag("class", name).register(registry));
      Gauge.builder("serverfleet.ec2.rate.waiting", queue, BucketQueue::waiting)
          .tag("class", name)
          .register(registry);
    }
  }

  /** The client's bucket, with its headroom below EC2's, and its rate gauge. */
  private static TokenBucket bucket(
      MeterRegistry registry, Ec2Buckets sizes, Ec2Buckets.Bucket b, LongSupplier nanos) {
    Ec2Buckets.Limit limit = sizes.of(b);
    TokenBucket bucket =
        new TokenBucket(
            (int) Math.max(1, Math.floor(limit.burst() * HEADROOM)),
            limit.perSecond() * RATE_HEADROOM,
            nanos);
    Gauge.builder("serverfleet.ec2.rate.per.second", bucket, TokenBucket::rate)
        .tag("class", b.flagName())
        .register(registry);
    return bucket;
  }

  /**
   * The EC2 calls this thread makes until the returned scope closes are {@code key}'s (a fleet's
   * {@code namespace/name}); scopes nest.
   */
  public static Caller caller(String key) {
    String outer = CALLER.get();
    CALLER.set(key);
    return () -> {
      if (outer == null) {
        CALLER.remove();
      } else {
        CALLER.set(outer);
      }
    };
  }

  /** Runs {@code body} with this thread's EC2 calls made as {@code key}'s ({@link #caller}). */
  @SuppressWarnings("try") // the scope is its opening and closing
  public static <T> T callingAs(String key, Supplier<T> body) {
    try (Caller scope = caller(key)) {
      return body.get();
    }
  }

  /** Who this thread's calls are made for now: a fleet's key, or {@value #OPERATOR}. */
  public static String currentCaller() {
    String key = CALLER.get();
    return key == null ? OPERATOR : key;
  }

  /** Waits until the operation's bucket has a token for it. */
  public void acquire(String operation) {
    acquire(operation, 1);
  }

  /**
   * Waits for this thread's caller's turn and the operation's tokens.
   *
   * @param instances how many instances it launches (RunInstances' MaxCount; 1 otherwise)
   */
  public void acquire(String operation, int instances) {
    ActionClass c = ActionClass.of(operation);
    try {
      long waited = queues.get(c).acquire(currentCaller(), Math.max(1, instances));
      waits.get(c).record(Duration.ofNanos(waited));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to call " + operation, e);
    }
  }

  /** EC2 answered the operation with a throttle (or a 503): slow its class down. */
  public void throttled(String operation) {
    ActionClass c = ActionClass.of(operation);
    throttles.get(c).increment();
    queues.get(c).throttled();
  }

  /** The operation went through: let its class speed up again. */
  public void succeeded(String operation) {
    queues.get(ActionClass.of(operation)).succeeded();
  }

  /** Every waiting call looks at its tokens again (tests move their clock, then call this). */
  void wakeAll() {
    queues.values().forEach(BucketQueue::wakeAll);
  }

  int waiting(ActionClass c) {
    return queues.get(c).waiting();
  }
}
