package dev.serverfleet.operator.planning;

import java.time.Instant;
import java.util.Objects;

/**
 * One instance on its way out through the drain stage: chosen for termination, not yet terminated.
 * Kept in status ({@code status.draining}) so that an operator restart resumes it.
 *
 * @param reason why it goes (ScaleIn, Rollout, Unhealthy, Stopped, FleetDeleted)
 * @param action the hook's action kind (webhook, ssmCommand)
 * @param attempts calls made so far (webhook requests, SSM commands)
 * @param handle what identifies the call in flight across restarts: the SSM command id; null for a
 *     webhook, whose in-flight request lives only in this process
 * @param finishedAt when the action ended; null while running
 * @param waitUntil deregister: when the deregistration delay is waited out; null before the
 *     DeregisterTargets call
 */
public record Drain(
    String instanceId,
    String reason,
    String action,
    Phase phase,
    Instant startedAt,
    int attempts,
    String handle,
    Instant finishedAt,
    String message,
    Instant waitUntil) {

  public enum Phase {
    RUNNING("Running"),
    SUCCEEDED("Succeeded"),
    FAILED("Failed"),
    TIMED_OUT("TimedOut"),
    ABANDONED("Abandoned");

    private final String display;

    Phase(String display) {
      this.display = display;
    }

    public String display() {
      return display;
    }

    public static Phase of(String display) {
      for (Phase p : values()) {
        if (p.display.equals(display)) {
          return p;
        }
      }
      return RUNNING;
    }
  }

  public Drain {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  /** A drain just decided: running, nothing sent yet. */
  public static Drain start(String instanceId, String reason, String action, Instant now) {
    return new Drain(instanceId, reason, action, Phase.RUNNING, now, 0, null, null, null, null);
  }

  Drain sent(String newHandle) {
    return new Drain(
        instanceId,
        reason,
        action,
        phase,
        startedAt,
        attempts + 1,
        newHandle,
        null,
        message,
        waitUntil);
  }

  Drain ended(Phase newPhase, Instant at, String why) {
    return new Drain(
        instanceId, reason, action, newPhase, startedAt, attempts, handle, at, why, waitUntil);
  }
}
