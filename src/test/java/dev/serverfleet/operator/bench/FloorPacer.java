package dev.serverfleet.operator.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * EC2's published account buckets, mirrored exactly on the floor's side so that it sends each call
 * at the first instant the account would accept it: describes 100 burst / 20 per second,
 * RunInstances 5 / 2, TerminateInstances 100 / 5, CreateTags 100 / 10, and RunInstances' resource
 * bucket of 1,000 instances refilled at 2 per second (a launch of n instances takes n of them).
 *
 * <p>{@link #reserve} returns the send time and debits every bucket the call needs at that time, so
 * calls are sent in the order they asked and a call waiting for one bucket does not use another
 * bucket's tokens early (the account debits at arrival, and a full bucket wastes its refill). A
 * bucket is {@code min(burst, level + rate * elapsed)}, the same arithmetic as the account's.
 *
 * <p>Pure: the caller passes the time (nanoseconds, any origin) and sleeps itself. Thread-safe.
 */
final class FloorPacer {
  private static final Map<String, Bucket.Limit> REQUESTS =
      Map.of(
          "RunInstances", new Bucket.Limit(5, 2),
          "TerminateInstances", new Bucket.Limit(100, 5),
          "CreateTags", new Bucket.Limit(100, 10));
  private static final Bucket.Limit DESCRIBES = new Bucket.Limit(100, 20);
  private static final Bucket.Limit LAUNCHED_INSTANCES = new Bucket.Limit(1000, 2);

  /** The most instances one RunInstances may ask for: the resource bucket's burst. */
  static final int MAX_INSTANCES_PER_LAUNCH = (int) LAUNCHED_INSTANCES.burst();

  private final Map<String, Bucket> requests;
  private final Bucket describes;
  private final Bucket instances;

  FloorPacer(long nowNanos) {
    requests = new HashMap<>();
    REQUESTS.forEach((action, limit) -> requests.put(action, new Bucket(limit, nowNanos)));
    describes = new Bucket(DESCRIBES, nowNanos);
    instances = new Bucket(LAUNCHED_INSTANCES, nowNanos);
  }

  /**
   * Takes the tokens of one call of {@code action} ({@code launched} instances for RunInstances, 0
   * otherwise) and returns when it may be sent: {@code nowNanos} or later.
   */
  synchronized long reserve(String action, int launched, long nowNanos) {
    if (launched > MAX_INSTANCES_PER_LAUNCH) {
      throw new IllegalArgumentException(
          launched + " instances in one RunInstances exceed the resource bucket");
    }
    Bucket request = requests.getOrDefault(action, describes);
    long sendAt = request.readyAt(1, nowNanos);
    if (launched > 0) {
      sendAt = Math.max(sendAt, instances.readyAt(launched, nowNanos));
      instances.debit(launched, sendAt);
    }
    request.debit(1, sendAt);
    return sendAt;
  }

  /** One token bucket; its last debit may lie in the future (a reserved send time). */
  static final class Bucket {
    record Limit(double burst, double perSecond) {}

    private final Limit limit;
    private double level;
    private long at;

    Bucket(Limit limit, long nowNanos) {
      this.limit = limit;
      this.level = limit.burst();
      this.at = nowNanos;
    }

    /** The first instant at or after {@code nowNanos} when the bucket holds {@code n} tokens. */
    long readyAt(double n, long nowNanos) {
      long from = Math.max(nowNanos, at);
      double missing = n - levelAt(from);
      return missing <= 0 ? from : from + (long) Math.ceil(missing / limit.perSecond() * 1e9);
    }

    /** Takes {@code n} tokens at {@code when}, not earlier than the last debit. */
    void debit(double n, long when) {
      level = levelAt(when) - n;
      at = when;
    }

    private double levelAt(long when) {
      return Math.min(limit.burst(), level + (when - at) / 1e9 * limit.perSecond());
    }
  }
}
