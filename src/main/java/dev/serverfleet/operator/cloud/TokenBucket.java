package dev.serverfleet.operator.cloud;

import java.util.function.LongSupplier;

/**
 * One of EC2's account token buckets, mirrored on the client: {@code burst} tokens, refilled at
 * {@code rate} per second. A call asks how long until the tokens it needs are there ({@link
 * #shortfall}) and takes them when there are none to wait for ({@link #take}); which call asks
 * first is {@link FairQueue}'s decision. A call needing more than the burst waits only for a full
 * bucket and takes all it needs (the bucket goes below zero, as EC2's own accounting does, and the
 * calls after it wait for that debt). The rate adapts as TCP's window does (AIMD): halved, down to
 * a tenth of the configured rate, when EC2 throttles anyway (another tool in the account shares its
 * buckets), and raised by a twentieth of the configured rate per call that went through, up to the
 * configured rate.
 *
 * <p>Pure arithmetic over the injected nanosecond clock; not thread-safe (its owner locks).
 */
final class TokenBucket {
  private final double burst;
  private final double maxRate;
  private final double minRate;
  private final LongSupplier nanos;
  private volatile double rate; // read by the metrics gauge without the owner's lock
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

  /**
   * Nanoseconds until {@code tokens} (capped at the burst, which is all a bucket ever holds) are
   * there; zero when they are now.
   */
  long shortfall(double tokens) {
    refill();
    double missing = Math.min(tokens, burst) - this.tokens;
    return missing <= ROUNDING ? 0 : (long) Math.ceil(missing / rate * 1e9);
  }

  /** Takes the tokens a call needs (possibly more than there are: the next calls wait longer). */
  void take(double tokens) {
    refill();
    this.tokens -= tokens;
  }

  /** Less than this is floating-point rounding of a wait already waited, not a missing token. */
  private static final double ROUNDING = 1e-9;

  double burst() {
    return burst;
  }

  /** EC2 throttled a call anyway: halve the rate. */
  void throttled() {
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
  void succeeded() {
    refill();
    rate = Math.min(maxRate, rate + maxRate / 20);
  }

  double rate() {
    return rate;
  }

  private void refill() {
    long now = nanos.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
    last = now;
  }
}
