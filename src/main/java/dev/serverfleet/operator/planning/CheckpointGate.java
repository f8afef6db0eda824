package dev.serverfleet.operator.planning;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Where a rolling update holds on its way (strategy.rollingUpdate.checkpoints). Pure: it reads the
 * counts of this pass and what status recorded of the checkpoints, and says how many instances of
 * the new revision the rollout may have (the cap the planner launches up to), whether it holds, and
 * whether the operator must set {@code spec.paused} (a checkpoint without pauseSeconds waits for a
 * person to clear it).
 *
 * <p>A checkpoint of {@code p} percent stands for {@code ceil(p × replicas / 100)} instances, at
 * least one; one that stands for the whole fleet is no checkpoint. It is reached when that many
 * instances of the new revision are available. Then:
 *
 * <ul>
 *   <li>with pauseSeconds, the rollout holds until reachedAt + pauseSeconds and then goes on to the
 *       next checkpoint;
 *   <li>without, the first pass that reaches it asks for {@code spec.paused=true}; the hold ends
 *       when a later pass sees paused cleared while status still records the hold. The spec is
 *       written before status, so a crash between the two only repeats the request.
 * </ul>
 *
 * Checkpoints apply only while instances of an older revision remain: creating or scaling a fleet
 * is no rollout.
 */
public final class CheckpointGate {
  private CheckpointGate() {}

  /** No cap: the rollout may replace every instance. */
  public static final int NO_CAP = Integer.MAX_VALUE;

  /**
   * The fleet's checkpoints after defaults.
   *
   * @param percentages in increasing order, each 1..99
   * @param pause bake time at each; empty to wait for spec.paused to be cleared
   */
  public record Spec(List<Integer> percentages, Optional<Duration> pause) {
    public static final Spec NONE = new Spec(List.of(), Optional.empty());

    public Spec {
      percentages = List.copyOf(new TreeSet<>(percentages));
    }
  }

  /** A checkpoint being held, as status records it. */
  public record Hold(int percentage, int replicas, Instant reachedAt, Optional<Instant> resumeAt) {}

  /**
   * What status recorded: the highest checkpoint passed on this revision (0 for none) and the hold,
   * if any.
   */
  public record Recorded(int passed, Optional<Hold> hold) {
    public static final Recorded NONE = new Recorded(0, Optional.empty());
  }

  /**
   * This pass's counts.
   *
   * @param replicas the wanted number of instances
   * @param freshAvailable available instances of the new (current) revision
   * @param oldLive live instances of older revisions (what remains to be replaced)
   * @param paused spec.paused as the pass reads it
   */
  public record Counts(int replicas, int freshAvailable, int oldLive, boolean paused) {}

  /**
   * @param cap the most instances of the new revision the rollout may have now ({@link #NO_CAP})
   * @param recorded what status should record after this pass
   * @param requestPause the operator must set spec.paused=true before it records the hold
   */
  public record Decision(int cap, Recorded recorded, boolean requestPause) {
    public Optional<Hold> hold() {
      return recorded.hold();
    }
  }

  public static Decision decide(Spec spec, Recorded recorded, Counts counts, Instant now) {
    int passed = recorded.passed();
    if (spec.percentages().isEmpty() || counts.oldLive() == 0) {
      return new Decision(NO_CAP, new Recorded(passed, Optional.empty()), false);
    }
    for (int percentage : spec.percentages()) {
      int replicas = instancesFor(percentage, counts.replicas());
      if (percentage <= passed) {
        continue;
      }
      if (replicas >= counts.replicas()) {
        break;
      }
      if (counts.freshAvailable() < replicas) {
        return new Decision(replicas, new Recorded(passed, Optional.empty()), false);
      }
      Optional<Hold> earlier = recorded.hold().filter(h -> h.percentage() == percentage);
      Instant reachedAt = earlier.map(Hold::reachedAt).orElse(now);
      if (spec.pause().isPresent()) {
        Instant resumeAt = reachedAt.plus(spec.pause().get());
        if (!now.isBefore(resumeAt)) {
          passed = percentage;
          continue;
        }
        Hold hold = new Hold(percentage, replicas, reachedAt, Optional.of(resumeAt));
        return new Decision(replicas, new Recorded(passed, Optional.of(hold)), false);
      }
      if (earlier.isPresent() && !counts.paused()) {
        passed = percentage; // a person cleared spec.paused: go on
        continue;
      }
      Hold hold = new Hold(percentage, replicas, reachedAt, Optional.empty());
      return new Decision(
          replicas, new Recorded(passed, Optional.of(hold)), !counts.paused() && earlier.isEmpty());
    }
    return new Decision(NO_CAP, new Recorded(passed, Optional.empty()), false);
  }

  /** {@code ceil(percentage × replicas / 100)}, at least one. */
  public static int instancesFor(int percentage, int replicas) {
    return Math.max(1, (int) Math.ceil(percentage * (double) replicas / 100.0));
  }
}
