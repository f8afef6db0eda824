package dev.serverfleet.operator.planning;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The pre-termination drain of one instance as a pure state machine. The controller asks what the
 * action's side knows of the current call ({@link Probe}), and gets back the drain's next state and
 * what to do.
 *
 * <table>
 *   <caption>transitions</caption>
 *   <tr><th>phase</th><th>probe / time</th><th>next phase</th><th>act</th></tr>
 *   <tr><td>Running</td><td>past startedAt + timeout</td><td>TimedOut, or Abandoned</td>
 *       <td>TERMINATE, or KEEP</td></tr>
 *   <tr><td>Running</td><td>SUCCEEDED</td><td>Succeeded</td><td>TERMINATE</td></tr>
 *   <tr><td>Running</td><td>FAILED</td><td>Failed, or Abandoned</td><td>TERMINATE, or KEEP</td></tr>
 *   <tr><td>Running</td><td>IN_FLIGHT</td><td>Running</td><td>WAIT</td></tr>
 *   <tr><td>Running</td><td>NONE (new, or the answer was lost with a restarted operator)</td>
 *       <td>Running</td><td>SEND</td></tr>
 *   <tr><td>Succeeded, Failed, TimedOut</td><td>any (the termination did not go through)</td>
 *       <td>same</td><td>TERMINATE</td></tr>
 *   <tr><td>Abandoned</td><td>a person tagged serverfleet.dev/drain-decision=terminate</td>
 *       <td>Abandoned</td><td>TERMINATE</td></tr>
 *   <tr><td>Abandoned</td><td>otherwise</td><td>Abandoned</td><td>KEEP</td></tr>
 * </table>
 *
 * <p>The timeout bounds the whole drain from its start, across resent webhooks and operator
 * restarts, so a drain never holds an instance longer than the spec says.
 */
public final class DrainMachine {
  private DrainMachine() {}

  /** What the action's side knows about the drain's current call. */
  public enum Probe {
    /** No call in flight: none made yet, or its answer was lost with a restart. */
    NONE,
    IN_FLIGHT,
    SUCCEEDED,
    FAILED
  }

  public enum Act {
    SEND,
    WAIT,
    TERMINATE,
    KEEP
  }

  /**
   * @param timeout how long the drain may take from its start
   * @param abandonOnFailure defaultResult Abandon
   */
  public record Rules(Duration timeout, boolean abandonOnFailure) {}

  /**
   * @param ended the outcome, when this step ended the action (for the event)
   */
  public record Step(Drain drain, Act act, Optional<Drain.Phase> ended) {
    static Step of(Drain drain, Act act) {
      return new Step(drain, act, Optional.empty());
    }
  }

  public static Step next(
      Drain d, Probe probe, String detail, Rules rules, Instant now, boolean personSaysTerminate) {
    switch (d.phase()) {
      case SUCCEEDED, FAILED, TIMED_OUT:
        return Step.of(d, Act.TERMINATE);
      case ABANDONED:
        return Step.of(d, personSaysTerminate ? Act.TERMINATE : Act.KEEP);
      default:
        break;
    }
    if (probe == Probe.SUCCEEDED) {
      Drain done = d.ended(Drain.Phase.SUCCEEDED, now, detail);
      return new Step(done, Act.TERMINATE, Optional.of(Drain.Phase.SUCCEEDED));
    }
    if (probe == Probe.FAILED) {
      return failed(d, Drain.Phase.FAILED, detail, rules, now);
    }
    Instant deadline = d.startedAt().plus(rules.timeout());
    if (!now.isBefore(deadline)) {
      return failed(
          d,
          Drain.Phase.TIMED_OUT,
          "no answer within " + rules.timeout().toSeconds() + "s",
          rules,
          now);
    }
    return Step.of(d, probe == Probe.IN_FLIGHT ? Act.WAIT : Act.SEND);
  }

  /** The drain after its call was made (a webhook sent, or an SSM command with its id). */
  public static Drain sent(Drain d, String handle) {
    return d.sent(handle);
  }

  private static Step failed(
      Drain d, Drain.Phase outcome, String detail, Rules rules, Instant now) {
    if (rules.abandonOnFailure()) {
      String why =
          outcome.display()
              + (detail == null ? "" : ": " + detail)
              + "; defaultResult Abandon keeps the instance";
      return new Step(d.ended(Drain.Phase.ABANDONED, now, why), Act.KEEP, Optional.of(outcome));
    }
    return new Step(d.ended(outcome, now, detail), Act.TERMINATE, Optional.of(outcome));
  }

  /** When the drain times out, for the next pass's timer. */
  public static Instant deadline(Drain d, Rules rules) {
    return d.startedAt().plus(rules.timeout());
  }
}
