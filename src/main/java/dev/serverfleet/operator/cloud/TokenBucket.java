package dev.serverfleet.operator.cloud;

import java.util.function.LongSupplier;

/**
 * One of EC2's account token buckets, mirrored on the client: {@code burst} tokens, refilled at
 * {@code rate} per second. A call reserves a token and is told how long to wait for it, so that
 * calls queue in the order they asked (the bucket goes below zero while calls wait). The rate
 * adapts as TCP's window does (AIMD): halved, down to a tenth of the configured rate, when EC2
 * throttles anyway (another tool in the account shares its buckets), and raised by a twentieth of
 * the configured rate per call that went through, up to the configured rate.
 *
 * <p>Pure arithmetic over the injected nanosecond clock; thread-safe.
 */
final class TokenBucket {
  private final double burst;
  private final double maxRate;
  private final double minRate;
  private final LongSupplier nanos;
  private double rate;
  private double tokens;
  private long last;
  private long lastDecrease = Long.MIN_VALUE;

  TokenBucket(int burst, double perSecond, LongSupplier nanos) {
    if (burst < 1 || perSecond <= 0) {
      throw new IllegalArgumentException(
          "a bucket needs a burst of at least 1 and a positive rate, not "
              + burst
              + "/"
              + perSecond);
    }
    this.burst = burst;
    this.maxRate = perSecond;
    this.minRate = perSecond / 10;
    this.rate = perSecond;
    this.nanos = nanos;
    this.tokens = burst;
    this.last = nanos.getAsLong();
  }

  /** Takes a token; returns how many nanoseconds the caller must wait before it may call. */
  synchronized long reserve() {
    refill();
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / rate * 1e9);
  }

  /** EC2 throttled a call anyway: halve the rate. */
  synchronized void throttled() {
    refill();
    if (lastDecrease == Long.MIN_VALUE || last - lastDecrease >= DECREASE_INTERVAL) {
      rate = Math.max(minRate, rate / 2);
      lastDecrease = last;
    }
  }

  /**
   * One congestion, one decrease: throttles within this many nanoseconds of a decrease count once.
   */
  private static final long DECREASE_INTERVAL = 1_000_000_000L;

  /** A call went through: raise the rate a little, up to the configured one. */
  synchronized void succeeded() {
    refill();
    rate = Math.min(maxRate, rate + maxRate / 20);
  }

  synchronized double rate() {
    return rate;
  }

  private void refill() {
    long now = nanos.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
    last = now;
  }
}
