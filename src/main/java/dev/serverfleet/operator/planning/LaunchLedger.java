package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.planning.Intent.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The launch ledger: every RunInstances the operator decided on, from the moment it is written to
 * status (before the call) until EC2 shows its instances or the launch is settled as having made
 * none. It exists to keep one promise: a fleet is never launched twice because an answer was lost.
 * Pure: no I/O, no clock of its own; the planner and the act step move intents through it.
 *
 * <p>The states, what each counts as, and what may follow:
 *
 * <pre>
 * state         meaning                                    counts as launching   may become
 * ------------  -----------------------------------------  --------------------  -----------------------------------------
 * WRITTEN       in status; its call not yet made by this   count − seen          ACKNOWLEDGED (answered with ids)
 *               process                                                          UNKNOWN (throttle, 5xx, network error)
 *                                                                                gone: REFUSED (a definite refusal) or
 *                                                                                  NOT SENT (a pass stopped before it,
 *                                                                                  or the connection was refused)
 *                                                                                UNKNOWN when read back by a later pass:
 *                                                                                  the writer may have died mid-call
 * UNKNOWN       sent, or maybe sent, and no definite       count − seen          ACKNOWLEDGED (a retry answered, or a sweep
 *               answer: it may have launched                                       shows instances with its launch tag)
 *                                                                                UNKNOWN (retried with the SAME token when
 *                                                                                  due and still needed, never a new one)
 *                                                                                LOOKUP (refused now, but an earlier attempt
 *                                                                                  is unknown; or no longer needed; or of
 *                                                                                  an older revision, which cannot be
 *                                                                                  retried with other parameters)
 * ACKNOWLEDGED  EC2 answered with instance ids             count − seen          gone: OBSERVED (a sweep shows all of them)
 *                                                                                LOOKUP (not all seen by the visibility
 *                                                                                  deadline)
 * LOOKUP        to be settled by DescribeInstances         count − seen          ACKNOWLEDGED (instances found)
 *               filtered by its launch tag                                       gone: RESOLVED (nothing found: it made no
 *                                                                                  instance, or an acknowledged one is LOST)
 * </pre>
 *
 * <p>"Seen" counts only instances a sweep of EC2 (or a lookup) returned with the intent's launch
 * tag, never what the operator's own cache remembers from a RunInstances answer: an intent is
 * fulfilled when EC2 shows its instances, not when we think it did. Only a definite refusal of
 * every attempt of a token means "nothing launched" ({@link #failed}); a definite refusal after an
 * attempt of unknown outcome is settled by a lookup instead. An intent is never replaced by a new
 * token while its outcome is unknown.
 */
public final class LaunchLedger {

  private LaunchLedger() {}

  /**
   * The ledger as a plan starts.
   *
   * @param kept every intent still open, in its current state (observed ones are gone)
   * @param unseen by token, the instances of each kept intent not yet seen in EC2
   * @param retryDue current-revision intents of unknown outcome whose next attempt is due: the
   *     planner retries each while the fleet needs it, otherwise looks it up
   * @param observed intents whose instances EC2 now shows in full
   */
  public record Review(
      List<Intent> kept,
      Map<String, Integer> unseen,
      List<Intent> retryDue,
      List<Intent> observed) {

    /** Instances still expected from kept intents other than {@code except}. */
    int launching(List<Intent> except) {
      return kept.stream()
          .filter(i -> !except.contains(i))
          .mapToInt(i -> unseen.get(i.token()))
          .sum();
    }
  }

  /**
   * Reads the ledger recorded in status against what EC2 shows.
   *
   * @param seenByToken instances a sweep of EC2 returned, counted by launch tag ({@link
   *     Intent#seenByToken})
   */
  public static Review review(
      List<Intent> recorded,
      Map<String, Long> seenByToken,
      String revision,
      Instant now,
      PlanInput.Timing timing) {
    List<Intent> kept = new ArrayList<>();
    Map<String, Integer> unseen = new LinkedHashMap<>();
    List<Intent> retryDue = new ArrayList<>();
    List<Intent> observed = new ArrayList<>();
    for (Intent recordedIntent : recorded) {
      Intent intent = readBack(recordedIntent);
      long seen = seenByToken.getOrDefault(intent.token(), 0L);
      if (seen >= intent.count()) {
        observed.add(intent);
        continue;
      }
      if (seen > 0 && intent.state() != State.ACKNOWLEDGED) {
        // All-or-nothing launches (MinCount = MaxCount): one instance seen means all were made.
        intent = intent.to(State.ACKNOWLEDGED, now);
      }
      intent = timedOut(intent, revision, now, timing);
      if (intent.state() == State.UNKNOWN && !now.isBefore(nextAttempt(intent, timing))) {
        retryDue.add(intent);
      }
      kept.add(intent);
      unseen.put(intent.token(), (int) (intent.count() - seen));
    }
    return new Review(kept, unseen, retryDue, observed);
  }

  /** A WRITTEN intent read back from status may have been sent by a process that then died. */
  static Intent readBack(Intent intent) {
    return intent.state() == State.WRITTEN ? intent.to(State.UNKNOWN, intent.since()) : intent;
  }

  /** The state an intent is in once its timers have run. */
  private static Intent timedOut(
      Intent intent, String revision, Instant now, PlanInput.Timing timing) {
    return switch (intent.state()) {
      case ACKNOWLEDGED ->
          now.isBefore(intent.since().plus(timing.visibilityDeadline()))
              ? intent
              : intent.to(State.LOOKUP, intent.since());
      // An older revision's launch cannot be retried (EC2 refuses a token with other parameters).
      case UNKNOWN ->
          !intent.revision().equals(revision)
                  && !now.isBefore(intent.since().plus(timing.retryAfter()))
              ? intent.to(State.LOOKUP, intent.since())
              : intent;
      default -> intent;
    };
  }

  /**
   * When an intent of unknown outcome may be sent again: {@code retryAfter} after its last attempt
   * (long enough for a sweep to show what that attempt made; the fleet's own backoff spaces the
   * passes when EC2 keeps failing).
   */
  public static Instant nextAttempt(Intent intent, PlanInput.Timing timing) {
    return intent.since().plus(timing.retryAfter());
  }

  /**
   * Intents in LOOKUP whose lookup is due: long enough after their last attempt for EC2 to show
   * them.
   */
  public static boolean lookupDue(Intent intent, Instant now, PlanInput.Timing timing) {
    return intent.state() == State.LOOKUP
        && !now.isBefore(intent.since().plus(timing.retryAfter()));
  }

  /**
   * When time alone next moves the intent: a retry or lookup falls due, or its visibility deadline
   * passes.
   */
  public static Instant nextMoment(Intent intent, PlanInput.Timing timing) {
    return switch (intent.state()) {
      case WRITTEN, UNKNOWN -> nextAttempt(intent, timing);
      case LOOKUP -> intent.since().plus(timing.retryAfter());
      case ACKNOWLEDGED -> intent.since().plus(timing.visibilityDeadline());
    };
  }

  /**
   * An intent of unknown outcome the fleet no longer needs: settle it by a lookup, do not resend
   * it.
   */
  static Intent unneeded(Intent intent) {
    return intent.state() == State.UNKNOWN ? intent.to(State.LOOKUP, intent.since()) : intent;
  }

  /** RunInstances answered for the intent's token. */
  public static Intent answered(Intent intent, List<String> instanceIds, Instant now) {
    return new Intent(
        intent.token(),
        intent.subnetId(),
        intent.count(),
        intent.revision(),
        intent.createdAt(),
        State.ACKNOWLEDGED,
        intent.attempts() + 1,
        now,
        instanceIds,
        intent.instanceType(),
        intent.capacityType());
  }

  /**
   * RunInstances failed for the intent's token.
   *
   * @param definite EC2 definitely refused this attempt: nothing ran for it
   * @return empty when the launch certainly made nothing (REFUSED): this attempt was refused and it
   *     was the first; otherwise the intent in its next state
   */
  public static Optional<Intent> failed(Intent intent, boolean definite, Instant now) {
    if (definite && intent.state() == State.WRITTEN && intent.attempts() == 0) {
      return Optional.empty();
    }
    return Optional.of(intent.attempted(definite ? State.LOOKUP : State.UNKNOWN, now));
  }

  /**
   * The intent's call was not sent: a pass stopped before it (an earlier call was refused for a
   * reason that applies to every subnet), or the connection to EC2 was refused. A new intent is
   * gone, since it certainly made nothing; an intent sent before stays as it was.
   */
  public static Optional<Intent> notSent(Intent intent) {
    return intent.state() == State.WRITTEN && intent.attempts() == 0
        ? Optional.empty()
        : Optional.of(intent);
  }

  /**
   * A DescribeInstances by launch tag returned {@code found}.
   *
   * @return the intent acknowledged with what was found, which is all the launch made (its count
   *     becomes that many: what a describe does not show now, no sweep will show later), or empty
   *     when nothing was found: the launch made no instance that EC2 shows, and the fleet may
   *     launch again
   */
  public static Optional<Intent> lookedUp(Intent intent, List<String> found, Instant now) {
    if (found.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Intent(
            intent.token(),
            intent.subnetId(),
            found.size(),
            intent.revision(),
            intent.createdAt(),
            State.ACKNOWLEDGED,
            intent.attempts(),
            now,
            found,
            intent.instanceType(),
            intent.capacityType()));
  }
}
