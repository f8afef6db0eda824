package dev.serverfleet.operator.planning;

import java.time.Instant;
import java.util.Objects;

/**
 * One running instance behind an SSM or webhook readiness gate, as status keeps it.
 *
 * @param commandId the SSM command being followed (survives a restart); null for a webhook, or
 *     between attempts
 * @param sentAt when the current (or last) attempt was sent; null before the first
 * @param attempts calls sent so far
 * @param passedAt when the gate passed; null until then
 * @param message what the last attempt answered
 */
public record Gate(
    String instanceId,
    Phase phase,
    String commandId,
    Instant sentAt,
    int attempts,
    Instant passedAt,
    String message) {

  public enum Phase {
    PENDING("Pending"),
    PASSED("Passed"),
    FAILED("Failed");

    private final String display;

    Phase(String display) {
      this.display = display;
    }

    public String display() {
      return display;
    }

    public static Phase parse(String s) {
      for (Phase p : values()) {
        if (p.display.equals(s)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown gate phase " + s);
    }
  }

  public Gate {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(phase, "phase");
  }

  /** A gate not yet asked. */
  public static Gate start(String instanceId) {
    return new Gate(instanceId, Phase.PENDING, null, null, 0, null, null);
  }

  Gate sent(String handle, Instant now) {
    return new Gate(instanceId, Phase.PENDING, handle, now, attempts + 1, null, message);
  }

  Gate passed(Instant now, String detail) {
    return new Gate(instanceId, Phase.PASSED, null, sentAt, attempts, now, detail);
  }

  /** The attempt ended without success: no command followed any more. */
  Gate attemptFailed(Phase phase, String detail) {
    return new Gate(instanceId, phase, null, sentAt, attempts, null, detail);
  }

  Gate noting(String detail) {
    return detail == null
        ? this
        : new Gate(instanceId, phase, commandId, sentAt, attempts, passedAt, detail);
  }
}
