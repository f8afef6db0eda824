package dev.serverfleet.operator.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * EC2's request token buckets for one account, as the fault proxy enforces them: a call of an
 * action whose bucket is empty is refused with RequestLimitExceeded and costs nothing. RunInstances
 * also draws on a resource bucket of instances: a call launching MaxCount instances needs that many
 * tokens in it as well as a request token. Written from AWS's documentation of the default limits
 * ("Request throttling for the Amazon EC2 API"), independently of the operator's own client-side
 * buckets, so that a mistake in those shows here.
 */
final class AccountLimits {
  /** A bucket, by name: actions that name the same bucket share it. */
  private record Limit(String bucket, double capacity, double refillPerSecond) {}

  private static final Limit NON_MUTATING = new Limit("describe", 100, 20);
  private static final Limit TAGS = new Limit("tags", 100, 10);
  private static final Map<String, Limit> BY_ACTION =
      Map.of(
          "RunInstances",
          new Limit("run", 5, 2),
          "TerminateInstances",
          new Limit("terminate", 100, 5),
          "CreateTags",
          TAGS,
          "DeleteTags",
          TAGS);

  /** RunInstances' resource bucket: EC2's default is 1,000 instances refilled at 2 per second. */
  private final Limit instances;

  private final Map<String, double[]> buckets = new HashMap<>(); // {tokens, lastNanos} by bucket

  /** EC2's default limits. */
  AccountLimits() {
    this(1000, 2);
  }

  /** EC2's default request limits, with an instance bucket of this size (to keep a test short). */
  AccountLimits(int instanceCapacity, double instancesPerSecond) {
    this.instances = new Limit("run-instances", instanceCapacity, instancesPerSecond);
  }

  /**
   * Whether the account has the tokens for this call now (and takes them). The time is read inside
   * the lock: a time read before it could be older than the bucket's last refill.
   *
   * @param maxCount RunInstances' MaxCount (ignored for other actions)
   */
  synchronized boolean admit(String action, int maxCount) {
    long nowNanos = System.nanoTime();
    Limit limit = BY_ACTION.getOrDefault(action, NON_MUTATING);
    double[] requests = refilled(limit, nowNanos);
    if (requests[0] < 1) {
      return false;
    }
    if (action.equals("RunInstances")) {
      double[] launched = refilled(instances, nowNanos);
      int count = Math.max(1, maxCount);
      if (launched[0] < count) {
        return false;
      }
      launched[0] -= count;
    }
    requests[0] -= 1;
    return true;
  }

  private double[] refilled(Limit limit, long nowNanos) {
    double[] b =
        buckets.computeIfAbsent(limit.bucket(), name -> new double[] {limit.capacity(), nowNanos});
    b[0] = Math.min(limit.capacity(), b[0] + (nowNanos - b[1]) / 1e9 * limit.refillPerSecond());
    b[1] = nowNanos;
    return b;
  }
}
