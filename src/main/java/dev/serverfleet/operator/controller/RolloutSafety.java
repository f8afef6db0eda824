package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.RollbackStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.AutoRollback;
import dev.serverfleet.operator.planning.CheckpointGate;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.LaunchSettings;
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
 *   <li>the checkpoint gate ({@link CheckpointGate}, carried out by {@link CheckpointSteps}) caps
 *       the rollout, and at a checkpoint without pauseSeconds sets spec.paused before status
 *       records the hold.
 * </ol>
 *
 * After the status is built, {@link #completed} records a completed rollout in status and history.
 */
final class RolloutSafety {

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
      Optional<Instant> resumeAt) {

    /** The spec was written (an undo or a rollback): the pass stops. */
    static Step rewritten(ServerFleet stored, RolloutStatus rollout) {
      return new Step(
          stored, true, 0, rollout, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The rollout may not go on: nothing of the current revision is launched, and why. */
    static Step blocked(ServerFleet fleet, RolloutStatus rollout, Degradation why) {
      return new Step(
          fleet, false, 0, rollout, Optional.of(why), Optional.empty(), Optional.empty());
    }
  }

  private final Rollbacks rollbacks;
  private final CheckpointSteps checkpoints;
  private final FleetStore store;

  RolloutSafety(Ec2Port ec2, FleetStore store, FleetEvents events) {
    this.rollbacks = new Rollbacks(ec2, store, events);
    this.checkpoints = new CheckpointSteps(store, events);
    this.store = store;
  }

  /**
   * @param settings what the revision launches (the selectors' answers), stored in the history
   */
  Step before(
      ServerFleet fleet,
      String revision,
      LaunchSettings settings,
      InstanceChecks view,
      List<Instance> owned,
      FleetLoop.StatusWriter writer,
      Instant now) {
    RolloutStatus previous = previous(fleet, revision);
    String requested = annotation(fleet, ServerFleet.ROLLBACK_TO);
    if (requested != null) {
      Optional<ServerFleet> rolledBack = rollbacks.undo(fleet, revision, requested);
      if (rolledBack.isPresent()) {
        return Step.rewritten(rolledBack.get(), previous);
      }
    }
    RolloutStatus rollout =
        withNumber(previous, number(fleet, revision, settings, previous, owned));
    Counts c = counts(fleet, revision, view, owned);
    Optional<String> why = AutoRollback.reason(facts(fleet, revision, rollout, c));
    if (why.isPresent()) {
      return autoRollBack(fleet, revision, rollout, why.get(), writer, now)
          .orElseGet(() -> Step.blocked(fleet, rollout, Rollbacks.impossible(rollout)));
    }
    Optional<RollbackStatus> left = Optional.ofNullable(rollout.rolledBack());
    if (left.isPresent() && revision.equals(left.get().from())) {
      return Step.blocked(fleet, rollout, Rollbacks.held(left.get()));
    }
    return gate(fleet, revision, rollout, c, now);
  }

  /** The checkpoint gate's cap and hold, and the automatic rollback the fleet runs on, if any. */
  private Step gate(
      ServerFleet fleet, String revision, RolloutStatus rollout, Counts c, Instant now) {
    CheckpointSteps.Result held =
        checkpoints.pass(
            fleet,
            revision,
            rollout,
            new CheckpointGate.Counts(
                c.replicas(),
                c.freshAvailable(),
                c.oldLive(),
                Boolean.TRUE.equals(fleet.getSpec().getPaused())),
            now);
    Optional<RollbackStatus> stillOn =
        Optional.ofNullable(rollout.rolledBack()).filter(r -> revision.equals(r.to()));
    RolloutStatus next =
        new RolloutStatus(
            rollout.revision(),
            rollout.completeRevision(),
            held.rollout().passedCheckpoint(),
            held.rollout().checkpoint(),
            stillOn.orElse(null));
    return new Step(
        held.fleet(),
        false,
        held.cap(),
        next,
        Optional.empty(),
        stillOn.map(r -> new Degradation(Rollbacks.AUTO_ROLLED_BACK, Rollbacks.message(r))),
        held.resumeAt());
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
    return rollbacks
        .toLastComplete(fleet, revision, rollout, reason, writer, now)
        .map(done -> Step.rewritten(done.fleet(), done.rollout()));
  }

  /** The current revision's number: from status while it is unchanged, else from the history. */
  private long number(
      ServerFleet fleet,
      String revision,
      LaunchSettings settings,
      RolloutStatus previous,
      List<Instance> owned) {
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
            SpecDefaults.revisionData(fleet, settings),
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

  private static String annotation(ServerFleet fleet, String key) {
    Map<String, String> annotations = fleet.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
