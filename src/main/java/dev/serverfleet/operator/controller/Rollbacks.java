package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.RollbackStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.controller.FleetStore.StoredRevision;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writing an earlier revision back into the fleet: an undo asked for with the {@code
 * serverfleet.dev/rollback-to} annotation ({@code kubectl sf rollout undo}), or an automatic
 * rollback. Either writes the revision's template into spec.template (keeping the subnets), so a
 * GitOps tool sees the change instead of a hidden divergence, and says so in an event. Neither goes
 * back to a revision whose AMI EC2 no longer has: the fleet could not launch it.
 */
final class Rollbacks {
  static final String ROLLED_BACK = "RolledBack";
  static final String ROLLBACK_REFUSED = "RollbackRefused";
  static final String ROLLBACK_SKIPPED = "RollbackSkipped";
  static final String AUTO_ROLLED_BACK = "AutoRolledBack";
  static final String ROLLBACK_IMPOSSIBLE = "RollbackImpossible";
  static final String REVISION_ROLLED_BACK = "RevisionRolledBack";

  /** The fleet as stored after an automatic rollback, and status.rollout as recorded. */
  record Done(ServerFleet fleet, RolloutStatus rollout) {}

  private final Ec2Port ec2;
  private final FleetStore store;
  private final RevisionHistory history;
  private final FleetEvents events;

  Rollbacks(Ec2Port ec2, FleetStore store, FleetEvents events) {
    this.ec2 = ec2;
    this.store = store;
    this.history = new RevisionHistory(store);
    this.events = events;
  }

  RevisionHistory history() {
    return history;
  }

  /**
   * Carries out the undo the annotation asks for. Returns the fleet as stored after the rollback,
   * or empty when it was refused or skipped (the annotation is removed either way, with an event
   * that says why).
   */
  Optional<ServerFleet> undo(ServerFleet fleet, String currentHash, String requested) {
    List<StoredRevision> revisions = history.all(fleet);
    Optional<StoredRevision> current = RevisionHistory.find(revisions, currentHash);
    Optional<StoredRevision> target;
    try {
      long number = Long.parseLong(requested.trim());
      target =
          number == 0
              ? previous(revisions, current.map(StoredRevision::number).orElse(Long.MAX_VALUE))
              : revisions.stream().filter(r -> r.number() == number).findFirst();
    } catch (NumberFormatException e) {
      return refuse(
          fleet, ServerFleet.ROLLBACK_TO + " must be a revision number, not '" + requested + "'");
    }
    if (target.isEmpty()) {
      return refuse(
          fleet,
          "revision "
              + requested
              + " is not in the history (kept: "
              + revisions.stream()
                  .map(r -> String.valueOf(r.number()))
                  .collect(Collectors.joining(", "))
              + ")");
    }
    if (target.get().hash().equals(currentHash)) {
      store.update(withoutRequest(fleet));
      events.normal(
          fleet,
          ROLLBACK_SKIPPED,
          "current template already matches revision " + target.get().number());
      return Optional.empty();
    }
    Optional<String> missing = missingImage(target.get());
    if (missing.isPresent()) {
      return refuse(fleet, missing.get());
    }
    ServerFleet stored = store.update(SpecDefaults.withRevision(fleet, target.get().data()));
    events.normal(
        fleet,
        ROLLED_BACK,
        "rolled back from "
            + describe(current, currentHash)
            + " to "
            + describe(target, target.get().hash())
            + " as "
            + ServerFleet.ROLLBACK_TO
            + " asked");
    return Optional.of(stored);
  }

  /** Why the revision cannot be launched any more, or empty when its AMI still exists. */
  Optional<String> missingImage(StoredRevision target) {
    String ami = target.data().template().getAmiId();
    if (ami == null || ec2.existingImages(List.of(ami)).contains(ami)) { // null: the template's
      return Optional.empty();
    }
    return Optional.of(
        "revision "
            + target.number()
            + " ("
            + target.hash()
            + ") launches "
            + ami
            + ", which EC2 no longer has");
  }

  /**
   * Rolls back to the last complete revision: status records the rollback (and Degraded
   * AutoRolledBack) first, then the spec is written, so a crash in between repeats it. Empty when
   * that revision is no longer in the history or its AMI is gone.
   */
  Optional<Done> toLastComplete(
      ServerFleet fleet,
      String revision,
      RolloutStatus rollout,
      String reason,
      FleetLoop.StatusWriter writer,
      Instant now) {
    List<StoredRevision> revisions = history.all(fleet);
    Optional<StoredRevision> from = RevisionHistory.find(revisions, revision);
    Optional<StoredRevision> to = RevisionHistory.find(revisions, rollout.completeRevision());
    if (from.isEmpty() || to.isEmpty() || missingImage(to.get()).isPresent()) {
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
    ServerFleet current =
        writer.write(
            fleet,
            FleetConditions.withDegraded(fleet, AUTO_ROLLED_BACK, message(record), after, now));
    return Optional.of(new Done(autoRollBack(current, from.get(), to.get(), reason), after));
  }

  /** Writes the revision back for an automatic rollback and marks the one it leaves. */
  private ServerFleet autoRollBack(
      ServerFleet fleet, StoredRevision from, StoredRevision to, String reason) {
    ServerFleet stored = store.update(SpecDefaults.withRevision(fleet, to.data()));
    try {
      store.annotate(fleet, from.hash(), FleetRevisions.ROLLED_BACK, reason);
    } catch (RuntimeException e) {
      // only the history's record of why: the rollback itself is written
      org.slf4j.LoggerFactory.getLogger(Rollbacks.class)
          .warn("could not mark revision {} as rolled back: {}", from.hash(), e.toString());
    }
    events.warning(
        fleet,
        AUTO_ROLLED_BACK,
        "rolled back from "
            + describe(Optional.of(from), from.hash())
            + " to "
            + describe(Optional.of(to), to.hash())
            + ": "
            + reason);
    return stored;
  }

  private Optional<ServerFleet> refuse(ServerFleet fleet, String why) {
    store.update(withoutRequest(fleet));
    events.warning(fleet, ROLLBACK_REFUSED, why);
    return Optional.empty();
  }

  private static Optional<StoredRevision> previous(List<StoredRevision> sorted, long below) {
    return sorted.stream().filter(r -> r.number() < below).reduce((a, b) -> b);
  }

  private static String describe(Optional<StoredRevision> r, String hash) {
    return r.map(
            s ->
                "revision " + s.number() + " (" + hash + ", " + launches(s.data().template()) + ")")
        .orElse("revision " + hash);
  }

  /** The AMI, or the launch template version (pinned in history) that gives it. */
  private static String launches(dev.serverfleet.operator.api.v1alpha1.FleetTemplate t) {
    var lt = t.getLaunchTemplate();
    if (t.getAmiId() != null || lt == null) {
      return t.getAmiId();
    }
    return "launch template "
        + (lt.getId() != null ? lt.getId() : lt.getName())
        + " version "
        + lt.getVersion();
  }

  private static ServerFleet withoutRequest(ServerFleet fleet) {
    ServerFleet changed = SpecDefaults.copy(fleet);
    Map<String, String> annotations =
        new HashMap<>(Optional.ofNullable(changed.getMetadata().getAnnotations()).orElse(Map.of()));
    annotations.remove(ServerFleet.ROLLBACK_TO);
    changed.getMetadata().setAnnotations(annotations);
    changed.setStatus(null);
    return changed;
  }

  static Degradation impossible(RolloutStatus rollout) {
    return new Degradation(
        ROLLBACK_IMPOSSIBLE,
        "the rollout is failing, but the last complete revision "
            + rollout.completeRevision()
            + " cannot be returned to: its AMI is gone or it is no longer in the history; fix"
            + " spec.template");
  }

  static Degradation held(RollbackStatus r) {
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
}
