package dev.serverfleet.operator.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Launches held after a terminal refusal (bad AMI, subnet, permission): for {@link #TERMINAL_HOLD}
 * per fleet uid and generation, so a broken template is not hammered; a spec change (new
 * generation) lifts the hold at once, so fixing the AMI takes effect now. In memory: a restart
 * forgets it and tries once more, which is the right amount of retrying after a restart.
 */
final class LaunchHolds {
  static final Duration TERMINAL_HOLD = Duration.ofMinutes(5);

  /** A terminal failure: the message EC2 gave, for the Degraded condition. */
  record Hold(long generation, Instant until, String reason, String message) {}

  private final Map<String, Hold> holds = new ConcurrentHashMap<>();

  /** The hold in force for this generation now, if any (an expired or outdated one is dropped). */
  Optional<Hold> current(String uid, long generation, Instant now) {
    Hold hold = holds.get(uid);
    if (hold == null) {
      return Optional.empty();
    }
    if (hold.generation() != generation || !now.isBefore(hold.until())) {
      holds.remove(uid, hold);
      return Optional.empty();
    }
    return Optional.of(hold);
  }

  void hold(String uid, long generation, Instant now, String reason, String message) {
    holds.put(uid, new Hold(generation, now.plus(TERMINAL_HOLD), reason, message));
  }

  void forget(String uid) {
    holds.remove(uid);
  }
}
