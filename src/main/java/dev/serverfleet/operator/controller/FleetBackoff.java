package dev.serverfleet.operator.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What the operator remembers between reconciles about failing EC2 calls, per fleet uid, in memory
 * (a restart forgets it and tries once more, which is the right amount of retrying after a
 * restart).
 *
 * <ul>
 *   <li>A terminal launch failure holds launches for that fleet generation for {@link #TERMINAL_HOLD}:
 *       a spec change (new generation) lifts the hold at once, so fixing the AMI takes effect now.
 *   <li>Insufficient capacity makes the subnet avoided for {@link #CAPACITY_HOLD}.
 *   <li>Throttling and transient errors back off exponentially, reset by a success.
 * </ul>
 */
final class FleetBackoff {
  static final Duration TERMINAL_HOLD = Duration.ofMinutes(5);
  static final Duration CAPACITY_HOLD = Duration.ofMinutes(2);
  static final Duration RETRY_BASE = Duration.ofSeconds(5);
  static final Duration RETRY_MAX = Duration.ofMinutes(5);

  /** A terminal failure: the message EC2 gave, for the Degraded condition. */
  record Hold(long generation, Instant until, String reason, String message) {}

  private static final class State {
    Hold hold;
    final Map<String, Instant> avoid = new HashMap<>();
    int failures;
  }

  private final Map<String, State> states = new ConcurrentHashMap<>();

  private State state(String uid) {
    return states.computeIfAbsent(uid, k -> new State());
  }

  synchronized Optional<Hold> hold(String uid, long generation, Instant now) {
    State s = states.get(uid);
    if (s == null || s.hold == null) {
      return Optional.empty();
    }
    if (s.hold.generation() != generation || !now.isBefore(s.hold.until())) {
      s.hold = null;
      return Optional.empty();
    }
    return Optional.of(s.hold);
  }

  synchronized void holdLaunches(String uid, long generation, Instant now, String reason, String message) {
    state(uid).hold = new Hold(generation, now.plus(TERMINAL_HOLD), reason, message);
  }

  synchronized void avoidSubnet(String uid, String subnetId, Instant now) {
    state(uid).avoid.put(subnetId, now.plus(CAPACITY_HOLD));
  }

  synchronized Set<String> avoidedSubnets(String uid, Instant now) {
    State s = states.get(uid);
    if (s == null) {
      return Set.of();
    }
    s.avoid.values().removeIf(until -> !now.isBefore(until));
    return s.avoid.keySet().stream().collect(Collectors.toUnmodifiableSet());
  }

  /** When the earliest subnet avoidance ends, if any is in force. */
  synchronized Optional<Instant> avoidanceEnds(String uid, Instant now) {
    State s = states.get(uid);
    if (s == null) {
      return Optional.empty();
    }
    return s.avoid.values().stream().filter(now::isBefore).min(Instant::compareTo);
  }

  /** Records a retryable failure and returns how long to wait before the next attempt. */
  synchronized Duration failed(String uid) {
    State s = state(uid);
    s.failures = Math.min(s.failures + 1, 16);
    Duration d = RETRY_BASE.multipliedBy(1L << Math.min(s.failures - 1, 10));
    return d.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : d;
  }

  synchronized void succeeded(String uid) {
    State s = states.get(uid);
    if (s != null) {
      s.failures = 0;
    }
  }

  void forget(String uid) {
    states.remove(uid);
  }
}
