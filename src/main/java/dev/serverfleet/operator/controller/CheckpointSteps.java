package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.planning.CheckpointGate;
import java.time.Instant;
import java.util.Optional;

/**
 * The checkpoint gate's decision carried out for one pass: spec.paused set (before status records
 * the hold) at a checkpoint without pauseSeconds, an event when a checkpoint is reached or passed,
 * and what status.rollout records of it.
 */
final class CheckpointSteps {
  static final String CHECKPOINT_REACHED = "CheckpointReached";
  static final String CHECKPOINT_PASSED = "CheckpointPassed";

  /**
   * @param fleet the fleet as stored (spec.paused may have been written)
   * @param cap the most current-revision instances the rollout may have now
   * @param rollout passedCheckpoint and checkpoint as status should record them
   * @param resumeAt when a timed hold ends
   */
  record Result(ServerFleet fleet, int cap, RolloutStatus rollout, Optional<Instant> resumeAt) {}

  private final FleetStore store;
  private final FleetEvents events;

  CheckpointSteps(FleetStore store, FleetEvents events) {
    this.store = store;
    this.events = events;
  }

  Result pass(
      ServerFleet fleet,
      String revision,
      RolloutStatus rollout,
      CheckpointGate.Counts counts,
      Instant now) {
    CheckpointGate.Recorded recorded =
        new CheckpointGate.Recorded(
            Optional.ofNullable(rollout.passedCheckpoint()).orElse(0),
            Optional.ofNullable(rollout.checkpoint()).map(CheckpointSteps::hold));
    CheckpointGate.Decision d =
        CheckpointGate.decide(SpecDefaults.checkpoints(fleet), recorded, counts, now);
    ServerFleet current = fleet;
    if (d.requestPause()) {
      ServerFleet paused = SpecDefaults.copy(fleet);
      paused.getSpec().setPaused(true);
      paused.setStatus(null);
      current = store.update(paused);
    }
    announce(fleet, revision, recorded, d);
    RolloutStatus next =
        new RolloutStatus(
            null,
            null,
            d.recorded().passed() == 0 ? null : d.recorded().passed(),
            d.hold().map(CheckpointSteps::checkpointStatus).orElse(null),
            null);
    return new Result(current, d.cap(), next, d.hold().flatMap(CheckpointGate.Hold::resumeAt));
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
}
