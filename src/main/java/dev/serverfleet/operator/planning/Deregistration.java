package dev.serverfleet.operator.planning;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * The load balancer's step of a drain, as a pure state machine: deregister the instance from every
 * target group, then wait out the deregistration delay so in-flight connections finish, then
 * terminate. The wait's end is kept in the drain ({@code waitUntil}, in status), so a restarted
 * operator resumes the wait instead of starting it again; no thread waits.
 *
 * <table>
 *   <caption>transitions</caption>
 *   <tr><th>phase</th><th>state</th><th>next</th><th>act</th></tr>
 *   <tr><td>Running</td><td>not deregistered yet (no waitUntil)</td><td>Running</td>
 *       <td>SEND (DeregisterTargets; then {@link #deregistered})</td></tr>
 *   <tr><td>Running</td><td>before waitUntil</td><td>Running</td><td>WAIT</td></tr>
 *   <tr><td>Running</td><td>at or past waitUntil</td><td>Succeeded</td><td>TERMINATE</td></tr>
 *   <tr><td>Succeeded, Failed</td><td>(the termination did not go through)</td><td>same</td>
 *       <td>TERMINATE</td></tr>
 * </table>
 */
public final class Deregistration {
  /** The drain action's name in status.draining. */
  public static final String ACTION = "deregister";

  /** The longest wait, as ELBv2 allows for deregistration_delay.timeout_seconds. */
  static final int MAX_DELAY_SECONDS = 3600;

  private Deregistration() {}

  /** A deregistration about to start: recorded now, the call made on the next pass. */
  public static Drain start(String instanceId, String reason, Instant now) {
    return Drain.start(instanceId, reason, ACTION, now);
  }

  public static DrainMachine.Step next(Drain d, Instant now) {
    if (d.phase() != Drain.Phase.RUNNING) {
      return DrainMachine.Step.of(d, DrainMachine.Act.TERMINATE);
    }
    if (d.waitUntil() == null) {
      return DrainMachine.Step.of(d, DrainMachine.Act.SEND);
    }
    if (now.isBefore(d.waitUntil())) {
      return DrainMachine.Step.of(d, DrainMachine.Act.WAIT);
    }
    Drain done =
        d.ended(Drain.Phase.SUCCEEDED, now, "deregistered; the deregistration delay is over");
    return new DrainMachine.Step(done, DrainMachine.Act.TERMINATE, Optional.of(done.phase()));
  }

  /**
   * The drain once DeregisterTargets took it in every target group: waiting until {@code now +
   * wait(delays, cap)}.
   */
  public static Drain deregistered(Drain d, Instant now, Duration wait) {
    Drain sent = d.sent(null);
    return new Drain(
        sent.instanceId(),
        sent.reason(),
        sent.action(),
        sent.phase(),
        sent.startedAt(),
        sent.attempts(),
        null,
        null,
        "deregistered from the target groups; connections drain for " + wait.toSeconds() + "s",
        wholeSecondAtOrAfter(now.plus(wait)));
  }

  /**
   * Status keeps times to the second: the end of the wait is rounded up, so that reading it back
   * never shortens the wait.
   */
  static Instant wholeSecondAtOrAfter(Instant t) {
    Instant floor = t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return floor.equals(t) ? t : floor.plusSeconds(1);
  }

  /** A definite refusal (the target group is gone, no ELBv2 access): nothing to wait for. */
  public static Drain refused(Drain d, Instant now, String why) {
    return d.ended(Drain.Phase.FAILED, now, why);
  }

  /** A retryable failure: the next pass deregisters again. */
  public static Drain retry(Drain d, String why) {
    return new Drain(
        d.instanceId(),
        d.reason(),
        d.action(),
        d.phase(),
        d.startedAt(),
        d.attempts(),
        d.handle(),
        null,
        why,
        null);
  }

  /**
   * The wait: the longest deregistration delay of the target groups (connections through any of
   * them must finish), capped by the spec's deregistrationDelayCapSeconds when set.
   */
  public static Duration wait(Collection<Integer> delaySeconds, Integer capSeconds) {
    int longest = delaySeconds.stream().mapToInt(Integer::intValue).max().orElse(0);
    int bounded = Math.max(0, Math.min(longest, MAX_DELAY_SECONDS));
    return Duration.ofSeconds(capSeconds == null ? bounded : Math.min(bounded, capSeconds));
  }

  /** How soon to look again for a drain in this step; empty when it is not waiting. */
  public static Optional<Duration> pollIn(Drain d, Instant now) {
    if (d.phase() != Drain.Phase.RUNNING || d.waitUntil() == null) {
      return Optional.empty();
    }
    Duration left = Duration.between(now, d.waitUntil());
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }
}
