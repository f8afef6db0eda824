package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.RevisionStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.Plan;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Derives a fleet's status from what EC2 shows. Pure: the same observation gives an equal status,
 * which is what lets the reconciler skip writes when nothing changed.
 */
final class StatusBuilder {

  /** Why the fleet is degraded, or empty when it is not. */
  record Degradation(String reason, String message) {}

  /** The counts conditions are decided on. */
  record Counts(
      int desired,
      int live,
      int ready,
      int available,
      int updated,
      int updatedAvailable,
      int inFlight,
      int protectedCount,
      int doomed,
      int doomedAvailable) {}

  private StatusBuilder() {}

  static ServerFleetStatus build(
      ServerFleet fleet,
      String revision,
      InstanceChecks view,
      List<Instance> owned,
      List<Intent> intents,
      Optional<Degradation> degraded,
      Plan.Notes notes,
      RolloutStatus rollout,
      Instant now) {
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);
    ServerFleetStatus previous =
        Optional.ofNullable(fleet.getStatus()).orElseGet(ServerFleetStatus::new);
    Map<String, String> readySince = new HashMap<>();
    previous.getInstances().stream()
        .filter(i -> i.readySince() != null)
        .forEach(i -> readySince.put(i.id(), i.readySince()));
    List<Instance> present =
        owned.stream()
            .filter(i -> !i.state().isGone())
            .sorted(Comparator.comparing(StatusBuilder::launchedAt).thenComparing(Instance::id))
            .toList();
    List<Instance> live = present.stream().filter(i -> i.state().isLive()).toList();
    Counts counts = counts(SpecDefaults.replicas(fleet), view, present, live, intents, owned);

    ServerFleetStatus status = new ServerFleetStatus();
    status.setObservedGeneration(generation);
    status.setReplicas(counts.live());
    status.setReadyReplicas(counts.ready());
    status.setAvailableReplicas(counts.available());
    status.setUpdatedReplicas(counts.updated());
    status.setProtectedReplicas(counts.protectedCount() == 0 ? null : counts.protectedCount());
    status.setSelector(selector(fleet));
    status.setCurrentRevision(revision);
    status.setRevisions(revisions(live, revision));
    status.setInstances(
        present.stream()
            .map(
                i ->
                    instanceStatus(
                            i, view.ready(i) ? readySince.getOrDefault(i.id(), seconds(now)) : null)
                        .withInterruption(InterruptionNotices.status(view.interruption(i))))
            .toList());
    status.setLaunchIntents(intents.stream().map(StatusBuilder::launchIntent).toList());
    status.setRollout(rollout);
    status.setLastProgressTime(
        progressed(previous, status, generation) ? seconds(now) : previous.getLastProgressTime());
    status.setConditions(FleetConditions.of(fleet, counts, status, degraded, notes, now));
    return status;
  }

  private static Counts counts(
      int desired,
      InstanceChecks view,
      List<Instance> present,
      List<Instance> live,
      List<Intent> intents,
      List<Instance> owned) {
    return new Counts(
        desired,
        live.size(),
        count(live, view::ready),
        count(live, view::available),
        count(live, view::current),
        count(live, i -> view.current(i) && view.available(i)),
        unseen(intents, owned),
        count(present, Instance::isProtected),
        count(live, i -> view.interruption(i) != null),
        count(live, i -> view.interruption(i) != null && view.current(i) && view.available(i)));
  }

  /** For the scale subresource (HPA, KEDA): the fleet tag's value, with a dot for the slash. */
  private static String selector(ServerFleet fleet) {
    return OwnershipTags.FLEET
        + "="
        + fleet.getMetadata().getNamespace()
        + "."
        + fleet.getMetadata().getName();
  }

  private static Instant launchedAt(Instance i) {
    return i.launchTime() == null ? Instant.MAX : i.launchTime();
  }

  /** Anything that moves the fleet towards its spec, or a new spec, restarts the progress clock. */
  private static boolean progressed(
      ServerFleetStatus previous, ServerFleetStatus next, long generation) {
    return previous.getLastProgressTime() == null
        || !Objects.equals(previous.getObservedGeneration(), generation)
        || !Objects.equals(previous.getUpdatedReplicas(), next.getUpdatedReplicas())
        || !Objects.equals(previous.getAvailableReplicas(), next.getAvailableReplicas())
        || !Objects.equals(previous.getReplicas(), next.getReplicas())
        || !Objects.equals(previous.getRevisions(), next.getRevisions())
        || !Objects.equals(checkpoint(previous), checkpoint(next));
  }

  /** A checkpoint reached or passed restarts the progress clock: holding is not stalling. */
  private static List<Object> checkpoint(ServerFleetStatus s) {
    return s.getRollout() == null
        ? List.of()
        : java.util.Arrays.asList(s.getRollout().checkpoint(), s.getRollout().passedCheckpoint());
  }

  private static List<RevisionStatus> revisions(List<Instance> live, String current) {
    Map<String, Integer> byRevision = new LinkedHashMap<>();
    byRevision.put(current, 0);
    live.forEach(
        i -> byRevision.merge(String.valueOf(i.tag(OwnershipTags.REVISION)), 1, Integer::sum));
    List<RevisionStatus> out = new ArrayList<>();
    byRevision.forEach(
        (rev, n) -> {
          if (n > 0) {
            out.add(new RevisionStatus(rev, n));
          }
        });
    return out;
  }

  /** Instances still expected from the intents: those not yet seen with their launch tag. */
  private static int unseen(List<Intent> intents, List<Instance> owned) {
    Map<String, Long> seen = Intent.seenByToken(owned);
    return intents.stream().mapToInt(i -> i.unseen(seen)).sum();
  }

  private static int count(List<Instance> instances, java.util.function.Predicate<Instance> p) {
    return (int) instances.stream().filter(p).count();
  }

  static String seconds(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static InstanceStatus instanceStatus(Instance i, String readySince) {
    return new InstanceStatus(
            i.id(),
            i.state().ec2Name(),
            i.tag(OwnershipTags.REVISION),
            i.subnetId(),
            i.zone(),
            i.privateIp(),
            i.launchTime() == null ? null : seconds(i.launchTime()),
            i.health().name(),
            readySince,
            i.isProtected() ? Boolean.TRUE : null,
            i.instanceType())
        .withCapacityType(i.capacityType());
  }

  static LaunchIntent launchIntent(Intent i) {
    return new LaunchIntent(
        i.token(),
        i.subnetId(),
        i.count(),
        i.revision(),
        millis(i.createdAt()),
        i.instanceIds().isEmpty() ? null : i.instanceIds(),
        STATE_NAMES.get(i.state()),
        i.attempts(),
        millis(i.since()),
        i.instanceType(),
        i.capacityType());
  }

  static Intent intent(LaunchIntent i) {
    Instant created = i.createdAt() == null ? Instant.EPOCH : Instant.parse(i.createdAt());
    Intent.State state =
        STATE_NAMES.entrySet().stream()
            .filter(e -> e.getValue().equals(i.state()))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse(Intent.State.WRITTEN);
    return new Intent(
        i.token(),
        i.subnetId(),
        i.count() == null ? 1 : i.count(),
        i.revision(),
        created,
        state,
        i.attempts() == null ? 0 : i.attempts(),
        i.since() == null ? created : Instant.parse(i.since()),
        i.instanceIds(),
        i.instanceType(),
        i.capacityType());
  }

  private static final Map<Intent.State, String> STATE_NAMES =
      Map.of(
          Intent.State.WRITTEN,
          "Written",
          Intent.State.UNKNOWN,
          "Unknown",
          Intent.State.ACKNOWLEDGED,
          "Acknowledged",
          Intent.State.LOOKUP,
          "Lookup");

  private static String millis(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** When each instance was first seen ready, as recorded in status. */
  static Map<String, Instant> readySince(ServerFleet fleet) {
    Map<String, Instant> out = new HashMap<>();
    if (fleet.getStatus() != null) {
      fleet.getStatus().getInstances().stream()
          .filter(i -> i.readySince() != null)
          .forEach(i -> out.put(i.id(), Instant.parse(i.readySince())));
    }
    return out;
  }
}
