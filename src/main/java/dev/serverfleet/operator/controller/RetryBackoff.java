package dev.serverfleet.operator.controller;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a fleet waits after retryable EC2 failures (throttling, 5xx, network): from {@link
 * #RETRY_BASE}, doubling per failure up to {@link #RETRY_MAX}, reset by a success.
 */
final class RetryBackoff {
  static final Duration RETRY_BASE = Duration.ofSeconds(5);
  static final Duration RETRY_MAX = Duration.ofMinutes(5);

  private final Map<String, Integer> failures = new ConcurrentHashMap<>();

  /** Records a retryable failure and returns how long to wait before the next attempt. */
  Duration failed(String uid) {
    int n = failures.merge(uid, 1, (a, b) -> Math.min(a + b, 16));
    Duration d = RETRY_BASE.multipliedBy(1L << Math.min(n - 1, 10));
    return d.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : d;
  }

  void succeeded(String uid) {
    failures.remove(uid);
  }

  void forget(String uid) {
    failures.remove(uid);
  }
}
