package dev.serverfleet.operator.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Subnets that answered with insufficient capacity, avoided per fleet for {@link #CAPACITY_HOLD}:
 * launches go to the fleet's other subnets meanwhile.
 */
final class SubnetAvoidance {
  static final Duration CAPACITY_HOLD = Duration.ofMinutes(2);

  private final Map<String, Map<String, Instant>> untilBySubnet = new HashMap<>();

  synchronized void avoid(String uid, String subnetId, Instant now) {
    untilBySubnet.computeIfAbsent(uid, k -> new HashMap<>()).put(subnetId, now.plus(CAPACITY_HOLD));
  }

  synchronized Set<String> avoided(String uid, Instant now) {
    Map<String, Instant> avoid = untilBySubnet.get(uid);
    if (avoid == null) {
      return Set.of();
    }
    avoid.values().removeIf(until -> !now.isBefore(until));
    return Set.copyOf(avoid.keySet());
  }

  /** When the earliest avoidance in force ends, if any. */
  synchronized Optional<Instant> ends(String uid, Instant now) {
    Map<String, Instant> avoid = untilBySubnet.get(uid);
    return avoid == null
        ? Optional.empty()
        : avoid.values().stream().filter(now::isBefore).min(Instant::compareTo);
  }

  synchronized void forget(String uid) {
    untilBySubnet.remove(uid);
  }
}
