package dev.serverfleet.operator.planning;

import java.time.Duration;
import java.time.Instant;

/**
 * An SSM or webhook readiness gate of one running instance as a pure state machine: the controller
 * says what it knows of the current call ({@link DrainMachine.Probe}) and gets the gate's next
 * state and whether to send a call now.
 *
 * <table>
 *   <caption>transitions (Pending only: Passed and Failed are final)</caption>
 *   <tr><th>probe / time</th><th>next</th><th>act</th></tr>
 *   <tr><td>SUCCEEDED</td><td>Passed</td><td>NONE</td></tr>
 *   <tr><td>IN_FLIGHT, before sentAt + attemptTimeout</td><td>Pending</td><td>WAIT</td></tr>
 *   <tr><td>FAILED, or IN_FLIGHT past sentAt + attemptTimeout</td>
 *       <td>Failed when maxAttempts are used, else Pending</td><td>SEND when due, else WAIT</td></tr>
 *   <tr><td>NONE (never sent, between attempts, or the answer was lost with a restart)</td>
 *       <td>Pending</td><td>SEND when due, else WAIT</td></tr>
 * </table>
 *
 * <p>"Due" is {@code askEvery} after the last attempt was sent, so the calls for one instance are
 * bounded in rate. A gate that never passes is not this machine's to end when maxAttempts is 0
 * (unbounded): the health grace period replaces the instance (see {@link InstanceChecks}).
 */
public final class GateMachine {
  private GateMachine() {}

  public enum Act {
    SEND,
    WAIT,
    NONE
  }

  /**
   * @param attemptTimeout how long one attempt may take before it counts as failed
   * @param maxAttempts attempts before the gate is Failed; 0: unbounded
   * @param askEvery the least time between two attempts for one instance
   */
  public record Rules(Duration attemptTimeout, int maxAttempts, Duration askEvery) {}

  public record Step(Gate gate, Act act) {}

  public static Step next(
      Gate g, DrainMachine.Probe probe, String detail, Rules rules, Instant now) {
    if (g.phase() != Gate.Phase.PENDING) {
      return new Step(g, Act.NONE);
    }
    return switch (probe) {
      case SUCCEEDED -> new Step(g.passed(now, detail), Act.NONE);
      case IN_FLIGHT ->
          g.sentAt() != null && !now.isBefore(g.sentAt().plus(rules.attemptTimeout()))
              ? failed(
                  g, "no result within " + rules.attemptTimeout().toSeconds() + "s", rules, now)
              : new Step(g.noting(detail), Act.WAIT);
      case FAILED -> failed(g, detail, rules, now);
      case NONE -> new Step(g, due(g, rules, now) ? Act.SEND : Act.WAIT);
    };
  }

  /** The gate after a call was sent now, with the handle that identifies it, if any. */
  public static Gate sent(Gate g, String handle, Instant now) {
    return g.sent(handle, now);
  }

  /**
   * The gate after a call was refused before it ran (SendCommand refused: the instance is not yet
   * registered with SSM, say): not an attempt, but not asked again before askEvery.
   */
  public static Gate refused(Gate g, String why, Instant now) {
    return new Gate(
        g.instanceId(), g.phase(), null, now, g.attempts(), g.passedAt(), "refused: " + why);
  }

  private static Step failed(Gate g, String detail, Rules rules, Instant now) {
    if (rules.maxAttempts() > 0 && g.attempts() >= rules.maxAttempts()) {
      return new Step(
          g.attemptFailed(
              Gate.Phase.FAILED,
              "attempt " + g.attempts() + " of " + rules.maxAttempts() + ": " + detail),
          Act.NONE);
    }
    Gate next = g.attemptFailed(Gate.Phase.PENDING, detail);
    return new Step(next, due(next, rules, now) ? Act.SEND : Act.WAIT);
  }

  private static boolean due(Gate g, Rules rules, Instant now) {
    return g.sentAt() == null || !now.isBefore(g.sentAt().plus(rules.askEvery()));
  }
}
