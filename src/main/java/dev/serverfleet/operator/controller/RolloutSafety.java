package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.RollbackStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.controller.FleetStore.StoredRevision;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.AutoRollback;
import dev.serverfleet.operator.planning.CheckpointGate;
import dev.serverfleet.operator.planning.InstanceChecks;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rails around a rollout, run before each pass plans:
 *
 * <ol>
 *   <li>an undo asked for with the {@code serverfleet.dev/rollback-to} annotation is carried out or
 *       refused ({@link Rollbacks});
 *   <li>a new current revision is recorded in the history ({@link RevisionHistory});
 *   <li>with strategy.autoRollback, a failing rollout ({@link AutoRollback}) is rolled back to the
 *       last complete revision: status records the rollback first, then the spec is written, so a
 *       crash in between repeats it; a revision whose AMI is gone is never returned to (Degraded
 *       RollbackImpossible instead);
 *   <li>a revision that an automatic rollback left is not rolled out again when the spec returns to
 *       it (a GitOps tool re-applying the old commit): the fleet holds, Degraded
 *       RevisionRolledBack, until the template changes or {@code kubectl sf rollout restart} makes
 *       a new revision;
 *   <li>the checkpoint gate ({@link CheckpointGate}) caps the rollout, and at a checkpoint without
 *       pauseSeconds sets spec.paused before status records the hold.
 * </ol>
 *
 * After the status is built, {@link #completed} records a completed rollout in status and history.
 */
final class RolloutSafety {
  static final String CHECKPOINT_REACHED = "CheckpointReached";
  static final String CHECKPOINT_PASSED = "CheckpointPassed";
  static final String ROLLBACK_IMPOSSIBLE = "RollbackImpossible";
  static final String REVISION_ROLLED_BACK = "RevisionRolledBack";

  /**
   * What the pass goes on with.
   *
   * @param fleet the fleet as stored now (an undo refusal or a pause may have written it)
   * @param rewritten the spec was rolled back: the pass stops, the new generation comes next
   * @param cap the most current-revision instances the rollout may have now
   * @param rollout status.rollout for this pass
   * @param degraded why the rollout cannot go on (RollbackImpossible, RevisionRolledBack): said
   *     before any EC2 failure, which it explains
   * @param notice an automatic rollback the fleet runs on (AutoRolledBack): said when nothing else
   *     is wrong
   * @param resumeAt when a timed checkpoint ends
   */
  record Step(
      ServerFleet fleet,
      boolean rewritten,
      int cap,
      RolloutStatus rollout,
      Optional<Degradation> degraded,
      Optional<Degradation> notice,
      Optional<Instant> resumeAt) {}

  private final Rollbacks rollbacks;
  private final FleetStore store;
  private final FleetEvents events;

  RolloutSafety(Ec2Port ec2, FleetStore store, FleetEvents events) {
    this.rollbacks = new Rollbacks(ec2, store, events);
    this.store = store;
    this.events = events;
  }

  Step before(
      ServerFleet fleet,
      String revision,
      InstanceChecks view,
      List<Instance> owned,
      FleetLoop.StatusWriter writer,
      Instant now) {
    RolloutStatus previous = previous(fleet, revision);
    String requested = annotation(fleet, ServerFleet.ROLLBACK_TO);
    if (requested != null) {
      Optional<ServerFleet> rolledBack = rollbacks.undo(fleet, revision, requested);
      if (rolledBack.isPresent()) {
        return new Step(
            rolledBack.get(),
            true,
            0,
            previous,
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
      }
    }
    long number = number(fleet, revision, previous, owned);
    RolloutStatus rollout = withNumber(previous, number);
    Counts c = counts(fleet, revision, view, owned);
    Optional<String> why = AutoRollback.reason(facts(fleet, revision, rollout, c));
    if (why.isPresent()) {
      Optional<Step> step = autoRollBack(fleet, revision, rollout, why.get(), writer, now);
      if (step.isPresent()) {
        return step.get();
      }
      return new Step(
          fleet,
          false,
          0,
          rollout,
          Optional.of(impossible(rollout)),
          Optional.empty(),
          Optional.empty());
    }
    Optional<RollbackStatus> left = Optional.ofNullable(rollout.rolledBack());
    if (left.isPresent() && revision.equals(left.get().from())) {
      return new Step(
          fleet,
          false,
          0,
          rollout,
          Optional.of(held(left.get())),
          Optional.empty(),
          Optional.empty());
    }
    return gate(fleet, revision, rollout, c, now);
  }

  /** status.rollout with the completed rollout recorded, in status and in the history. */
  RolloutStatus completed(
      ServerFleet fleet,
      String revision,
      ServerFleetStatus status,
      RolloutStatus rollout,
      Instant now) {
    boolean complete =
        status.getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.PROGRESSING.equals(c.getType())
                        && Conditions.ROLLOUT_COMPLETE.equals(c.getReason()));
    if (!complete || revision.equals(rollout.completeRevision())) {
      return rollout;
    }
    try {
      store.annotate(fleet, revision, FleetRevisions.COMPLETED_AT, StatusBuilder.seconds(now));
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(RolloutSafety.class)
          .warn("could not mark revision {} complete: {}", revision, e.toString());
    }
    return new RolloutStatus(
        rollout.revision(), revision, rollout.passedCheckpoint(), null, rollout.rolledBack());
  }

  /** The instances counted by the checkpoint gate and the rollback trigger. */
  private record Counts(
      int replicas, int fresh, int freshUnhealthy, int freshAvailable, int oldLive) {}

  private static Counts counts(
      ServerFleet fleet, String revision, InstanceChecks view, List<Instance> owned) {
    List<Instance> fresh =
        owned.stream()
            .filter(i -> !i.state().isGone() && revision.equals(i.tag(OwnershipTags.REVISION)))
            .toList();
    List<Instance> live = owned.stream().filter(i -> i.state().isLive()).toList();
    return new Counts(
        SpecDefaults.replicas(fleet),
        fresh.size(),
        (int) fresh.stream().filter(view::unhealthy).count(),
        (int) live.stream().filter(i -> view.current(i) && view.available(i)).count(),
        (int) live.stream().filter(i -> !view.current(i) && !i.isProtected()).count());
  }

  private static AutoRollback.Facts facts(
      ServerFleet fleet, String revision, RolloutStatus rollout, Counts c) {
    return new AutoRollback.Facts(
        SpecDefaults.autoRollback(fleet),
        revision,
        Optional.ofNullable(rollout.completeRevision()),
        c.oldLive() > 0 || c.freshAvailable() < c.replicas(),
        deadlineExceeded(fleet),
        c.fresh(),
        c.freshUnhealthy(),
        SpecDefaults.policy(fleet).maxUnhealthyPercent());
  }

  /**
   * Rolls back to the last complete revision, or empty when that revision cannot be launched (or is
   * no longer in the history).
   */
  private Optional<Step> autoRollBack(
      ServerFleet fleet,
      String revision,
      RolloutStatus rollout,
      String reason,
      FleetLoop.StatusWriter writer,
      Instant now) {
    List<StoredRevision> revisions = rollbacks.history().all(fleet);
    Optional<StoredRevision> from = RevisionHistory.find(revisions, revision);
    Optional<StoredRevision> to = RevisionHistory.find(revisions, rollout.completeRevision());
    if (from.isEmpty() || to.isEmpty() || rollbacks.missingImage(to.get()).isPresent()) {
      return Optional.empty();
    }
    RollbackStatus record =
        new RollbackStatus(
            from.get().hash(),
            from.get().number(),
            to.get().hash(),
            to.get().number(),
            reason,
            StatusBuilder.seconds(now));
    RolloutStatus after =
        new RolloutStatus(rollout.revision(), rollout.completeRevision(), null, null, record);
    ServerFleetStatus status =
        FleetConditions.withDegraded(
            fleet, Rollbacks.AUTO_ROLLED_BACK, message(record), after, now);
    ServerFleet current = writer.write(fleet, status);
    ServerFleet stored = rollbacks.autoRollBack(current, from.get(), to.get(), reason);
    return Optional.of(
        new Step(stored, true, 0, after, Optional.empty(), Optional.empty(), Optional.empty()));
  }

  private Step gate(
      ServerFleet fleet, String revision, RolloutStatus rollout, Counts c, Instant now) {
    CheckpointGate.Recorded recorded =
        new CheckpointGate.Recorded(
            Optional.ofNullable(rollout.passedCheckpoint()).orElse(0),
            Optional.ofNullable(rollout.checkpoint()).map(RolloutSafety::hold));
    CheckpointGate.Decision d =
        CheckpointGate.decide(
            SpecDefaults.checkpoints(fleet),
            recorded,
            new CheckpointGate.Counts(
                c.replicas(),
                c.freshAvailable(),
                c.oldLive(),
                Boolean.TRUE.equals(fleet.getSpec().getPaused())),
            now);
    ServerFleet current = fleet;
    if (d.requestPause()) {
      ServerFleet paused = SpecDefaults.copy(fleet);
      paused.getSpec().setPaused(true);
      paused.setStatus(null);
      current = store.update(paused);
    }
    announce(fleet, revision, recorded, d);
    Optional<RollbackStatus> left =
        Optional.ofNullable(rollout.rolledBack()).filter(r -> revision.equals(r.to()));
    RolloutStatus next =
        new RolloutStatus(
            rollout.revision(),
            rollout.completeRevision(),
            d.recorded().passed() == 0 ? null : d.recorded().passed(),
            d.hold().map(RolloutSafety::checkpointStatus).orElse(null),
            left.orElse(null));
    Optional<Degradation> notice =
        left.map(r -> new Degradation(Rollbacks.AUTO_ROLLED_BACK, message(r)));
    return new Step(
        current,
        false,
        d.cap(),
        next,
        Optional.empty(),
        notice,
        d.hold().flatMap(CheckpointGate.Hold::resumeAt));
  }

  private void announce(
      ServerFleet fleet,
      String revision,
      CheckpointGate.Recorded before,
      CheckpointGate.Decision d) {
    if (d.recorded().passed() > before.passed()) {
      events.normal(
          fleet,
          CHECKPOINT_PASSED,
          "checkpoint " + d.recorded().passed() + "% of revision " + revision + " passed");
    }
    d.hold()
        .filter(h -> before.hold().map(b -> b.percentage() != h.percentage()).orElse(true))
        .ifPresent(
            h ->
                events.normal(
                    fleet,
                    CHECKPOINT_REACHED,
                    String.format(
                        "holding at checkpoint %d%%: %d instance(s) on revision %s; %s",
                        h.percentage(),
                        h.replicas(),
                        revision,
                        h.resumeAt()
                            .map(t -> "going on at " + StatusBuilder.seconds(t))
                            .orElse(
                                "spec.paused set: kubectl sf rollout resume "
                                    + fleet.getMetadata().getName()
                                    + " goes on"))));
  }

  /** The current revision's number: from status while it is unchanged, else from the history. */
  private long number(
      ServerFleet fleet, String revision, RolloutStatus previous, List<Instance> owned) {
    if (previous.revision() != null) {
      return previous.revision();
    }
    Set<String> live =
        owned.stream()
            .filter(i -> i.state().isLive())
            .map(i -> String.valueOf(i.tag(OwnershipTags.REVISION)))
            .collect(Collectors.toSet());
    return rollbacks
        .history()
        .record(
            fleet,
            revision,
            SpecDefaults.revisionData(fleet),
            SpecDefaults.revisionHistoryLimit(fleet),
            live);
  }

  /** status.rollout as recorded, with what belongs to another revision dropped. */
  private static RolloutStatus previous(ServerFleet fleet, String revision) {
    ServerFleetStatus status = fleet.getStatus();
    RolloutStatus r =
        status == null || status.getRollout() == null
            ? new RolloutStatus(null, null, null, null, null)
            : status.getRollout();
    Optional<RollbackStatus> rolledBack =
        Optional.ofNullable(r.rolledBack())
            .filter(b -> revision.equals(b.from()) || revision.equals(b.to()));
    if (status != null && revision.equals(status.getCurrentRevision())) {
      return new RolloutStatus(
          r.revision(),
          r.completeRevision(),
          r.passedCheckpoint(),
          r.checkpoint(),
          rolledBack.orElse(null));
    }
    return new RolloutStatus(null, r.completeRevision(), null, null, rolledBack.orElse(null));
  }

  private static RolloutStatus withNumber(RolloutStatus r, long number) {
    return new RolloutStatus(
        number, r.completeRevision(), r.passedCheckpoint(), r.checkpoint(), r.rolledBack());
  }

  private static boolean deadlineExceeded(ServerFleet fleet) {
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    return fleet.getStatus() != null
        && fleet.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.PROGRESSING.equals(c.getType())
                        && Conditions.DEADLINE_EXCEEDED.equals(c.getReason())
                        && Long.valueOf(generation).equals(c.getObservedGeneration()));
  }

  private static Degradation impossible(RolloutStatus rollout) {
    return new Degradation(
        ROLLBACK_IMPOSSIBLE,
        "the rollout is failing, but the last complete revision "
            + rollout.completeRevision()
            + " cannot be returned to: its AMI is gone or it is no longer in the history; fix"
            + " spec.template");
  }

  private static Degradation held(RollbackStatus r) {
    return new Degradation(
        REVISION_ROLLED_BACK,
        "revision "
            + r.fromNumber()
            + " ("
            + r.from()
            + ") was rolled back at "
            + r.at()
            + " ("
            + r.reason()
            + "), so it is not rolled out again: change spec.template, or run kubectl sf rollout"
            + " restart to try it as a new revision");
  }

  static String message(RollbackStatus r) {
    return String.format(
        "rolled back from revision %d (%s) to revision %d (%s) at %s: %s",
        r.fromNumber(), r.from(), r.toNumber(), r.to(), r.at(), r.reason());
  }

  private static CheckpointGate.Hold hold(CheckpointStatus s) {
    return new CheckpointGate.Hold(
        s.percentage(),
        s.replicas(),
        Instant.parse(s.reachedAt()),
        Optional.ofNullable(s.resumeAt()).map(Instant::parse));
  }

  private static CheckpointStatus checkpointStatus(CheckpointGate.Hold h) {
    return new CheckpointStatus(
        h.percentage(),
        h.replicas(),
        StatusBuilder.seconds(h.reachedAt()),
        h.resumeAt().map(StatusBuilder::seconds).orElse(null));
  }

  private static String annotation(ServerFleet fleet, String key) {
    Map<String, String> annotations = fleet.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
