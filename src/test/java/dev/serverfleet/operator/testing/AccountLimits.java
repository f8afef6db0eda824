package dev.serverfleet.operator.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * EC2's request token buckets for one account, as the fault proxy enforces them: a call of an
 * action whose bucket is empty is refused with RequestLimitExceeded and costs nothing. Written from
 * AWS's documentation of the default limits ("Request throttling for the Amazon EC2 API"),
 * independently of the operator's own client-side buckets, so that a mistake in those shows here.
 */
final class AccountLimits {
  private record Limit(double capacity, double refillPerSecond) {}

  private static final Limit NON_MUTATING = new Limit(100, 20);
  private static final Map<String, Limit> BY_ACTION =
      Map.of(
          "RunInstances", new Limit(5, 2),
          "TerminateInstances", new Limit(100, 5),
          "CreateTags", new Limit(100, 10),
          "DeleteTags", new Limit(100, 10));

  private final Map<Limit, double[]> buckets = new HashMap<>(); // {tokens, lastNanos}

  /**
   * Whether the account has a token for this call now (and takes it). The time is read inside the
   * lock: a time read before it could be older than the bucket's last refill.
   */
  synchronized boolean admit(String action) {
    long nowNanos = System.nanoTime();
    Limit limit = BY_ACTION.getOrDefault(action, NON_MUTATING);
    double[] b = buckets.computeIfAbsent(limit, l -> new double[] {l.capacity(), nowNanos});
    b[0] = Math.min(limit.capacity(), b[0] + (nowNanos - b[1]) / 1e9 * limit.refillPerSecond());
    b[1] = nowNanos;
    if (b[0] < 1) {
      return false;
    }
    b[0] -= 1;
    return true;
  }
}
