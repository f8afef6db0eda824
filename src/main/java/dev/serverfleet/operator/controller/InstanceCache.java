package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's picture of its instances between sweeps: the last sweep's snapshot, plus what
 * reconciles did since (instances RunInstances returned, terminations requested). A completed sweep
 * replaces the snapshot whole and merges what was recorded meanwhile, so a sweep that started
 * before a launch never erases it:
 *
 * <ul>
 *   <li>a launched instance stays until a sweep shows it (in any state), or {@link #LAUNCH_MEMORY}
 *       after it was recorded (by then the launch ledger has looked it up);
 *   <li>a termination shows the instance as shutting-down until a sweep shows it gone or absent, or
 *       until a sweep that started {@link #TERMINATION_MEMORY} after the termination still shows it
 *       alive: then the call evidently did not take, and the planner sees it as it is.
 * </ul>
 *
 * <p>Between sweeps the fast lane ({@link FastLane}) describes instances in flux by id; what it saw
 * overlays the snapshot ({@link #refreshCompleted}) while it is newer than the snapshot: an answer
 * to a describe sent before the snapshot's sweep started is dropped, and a sweep drops the overlays
 * of describes sent before it started. Both are DescribeInstances answers, so both count as swept
 * for the planner. Ids a describe did not show change nothing (EC2 may not know a new instance
 * yet).
 *
 * <p>Threads: every method holds this object's monitor for in-memory work only (no I/O, no
 * callbacks), microseconds even for 10,000 instances; the sweep's and the fast lane's HTTP calls
 * happen outside it.
 */
final class InstanceCache {
  static final Duration LAUNCH_MEMORY = Duration.ofMinutes(15);
  static final Duration TERMINATION_MEMORY = Duration.ofSeconds(60);

  private static final Comparator<Instance> BY_ID = Comparator.comparing(Instance::id);

  private record Recorded<T>(T value, Instant at) {}

  /** Instance states the fast lane watches: they change within seconds to minutes. */
  static final Set<InstanceState> IN_FLUX =
      Set.of(InstanceState.PENDING, InstanceState.STOPPING, InstanceState.SHUTTING_DOWN);

  /** An instance in flux, with its fleet, for the fast lane. */
  record InFlux(ResourceID fleet, InstanceState state) {}

  private Map<ResourceID, Map<String, Instance>> swept = Map.of();
  private Instant sweptAt = Instant.MIN; // when the sweep behind the snapshot started
  private final Map<ResourceID, Map<String, Recorded<Instance>>> refreshed = new HashMap<>();
  private final Map<ResourceID, Map<String, Recorded<Instance>>> launched = new HashMap<>();
  private final Map<ResourceID, Map<String, Instant>> terminating = new HashMap<>();
  private boolean synced;

  /** Whether a sweep has completed: before that, "no instances" means "not looked yet". */
  synchronized boolean synced() {
    return synced;
  }

  synchronized Observation observe(ResourceID fleet) {
    Map<String, Instance> base = current(fleet);
    Map<String, Instant> going = terminating.getOrDefault(fleet, Map.of());
    List<Instance> seen = new ArrayList<>(base.size());
    for (Instance i : base.values()) {
      seen.add(
          going.containsKey(i.id()) && !i.state().isGone()
              ? i.withState(InstanceState.SHUTTING_DOWN)
              : i);
    }
    List<Instance> fresh = new ArrayList<>();
    launched
        .getOrDefault(fleet, Map.of())
        .values()
        .forEach(
            r -> {
              if (!base.containsKey(r.value().id())) {
                fresh.add(
                    going.containsKey(r.value().id())
                        ? r.value().withState(InstanceState.SHUTTING_DOWN)
                        : r.value());
              }
            });
    seen.sort(BY_ID);
    fresh.sort(BY_ID);
    return new Observation(seen, fresh);
  }

  /** The snapshot of the fleet with the fast lane's newer answers laid over it. */
  private Map<String, Instance> current(ResourceID fleet) {
    Map<String, Instance> base = swept.getOrDefault(fleet, Map.of());
    Map<String, Recorded<Instance>> newer = refreshed.getOrDefault(fleet, Map.of());
    if (newer.isEmpty()) {
      return base;
    }
    Map<String, Instance> merged = new HashMap<>(base);
    newer.forEach(
        (id, r) -> {
          Instance before = base.get(id);
          // DescribeInstances has no status checks: an unchanged state keeps the sweep's health.
          merged.put(
              id,
              before != null && before.state() == r.value().state()
                  ? r.value().withHealth(before.health())
                  : r.value());
        });
    return merged;
  }

  /**
   * Every instance whose observed state is in {@link #IN_FLUX}: pending (just launched too),
   * stopping, shutting-down (a termination requested too), across all fleets.
   */
  synchronized Map<String, InFlux> inFlux() {
    Map<String, InFlux> flux = new HashMap<>();
    for (ResourceID fleet : fleets()) {
      for (Instance i : observe(fleet).all()) {
        if (IN_FLUX.contains(i.state())) {
          flux.put(i.id(), new InFlux(fleet, i.state()));
        }
      }
    }
    return flux;
  }

  /** The fleet an instance that is not gone is observed in; empty when no fleet has it. */
  synchronized Optional<ResourceID> fleetOf(String instanceId) {
    for (ResourceID fleet : fleets()) {
      for (Instance i : observe(fleet).all()) {
        if (i.id().equals(instanceId) && !i.state().isGone()) {
          return Optional.of(fleet);
        }
      }
    }
    return Optional.empty();
  }

  private Set<ResourceID> fleets() {
    Set<ResourceID> fleets = new HashSet<>(swept.keySet());
    fleets.addAll(refreshed.keySet());
    fleets.addAll(launched.keySet());
    fleets.addAll(terminating.keySet());
    return fleets;
  }

  /**
   * Lays what a describe by id showed over the snapshot, unless a sweep that started after the
   * describe was sent has already replaced it. A termination the answer shows gone is settled.
   *
   * @param asked the ids described, each with the fleet it was observed in
   * @param shown what EC2 showed of them; ids it did not show change nothing
   * @param sentAt when the describe was sent
   * @return the fleets whose observation changed
   */
  synchronized Set<ResourceID> refreshCompleted(
      Map<String, ResourceID> asked, List<Instance> shown, Instant sentAt) {
    if (!sentAt.isAfter(sweptAt)) {
      return Set.of();
    }
    Map<ResourceID, Observation> before = new HashMap<>();
    for (Instance i : shown) {
      ResourceID fleet = asked.get(i.id());
      if (fleet == null) {
        continue;
      }
      before.computeIfAbsent(fleet, this::observe);
      refreshed.computeIfAbsent(fleet, k -> new HashMap<>()).put(i.id(), new Recorded<>(i, sentAt));
      if (i.state().isGone()) {
        Map<String, Instant> going = terminating.get(fleet);
        if (going != null && going.remove(i.id()) != null && going.isEmpty()) {
          terminating.remove(fleet);
        }
      }
    }
    Set<ResourceID> changed = new HashSet<>();
    before.forEach(
        (fleet, was) -> {
          if (!observe(fleet).equals(was)) {
            changed.add(fleet);
          }
        });
    return changed;
  }

  synchronized void launched(ResourceID fleet, Instance instance, Instant now) {
    launched
        .computeIfAbsent(fleet, k -> new HashMap<>())
        .putIfAbsent(instance.id(), new Recorded<>(instance, now));
  }

  synchronized void terminating(ResourceID fleet, String instanceId, Instant now) {
    terminating.computeIfAbsent(fleet, k -> new HashMap<>()).put(instanceId, now);
  }

  /**
   * The fleet's cleanup is done: forgets its launch records, except those of instances being
   * terminated (instances released by deletionPolicy Retain lose the cluster tag, so no sweep would
   * ever show them and settle their records). Terminations stay until a describe shows them gone,
   * so that a cleanup run again (the finalizer's removal failed) sees them going and does not
   * terminate them again.
   */
  synchronized void forget(ResourceID fleet) {
    Map<String, Instant> going = terminating.getOrDefault(fleet, Map.of());
    Map<String, Recorded<Instance>> mine = launched.get(fleet);
    if (mine != null) {
      mine.keySet().retainAll(going.keySet());
      if (mine.isEmpty()) {
        launched.remove(fleet);
      }
    }
  }

  /**
   * Swaps in what a sweep fetched and merges what was recorded meanwhile.
   *
   * @param startedAt when the sweep's first call was made
   * @return the fleets whose observation changed
   */
  synchronized Set<ResourceID> sweepCompleted(
      Map<ResourceID, Set<Instance>> fetched, Instant startedAt, Instant now) {
    Set<ResourceID> fleets = new HashSet<>(swept.keySet());
    fleets.addAll(fetched.keySet());
    fleets.addAll(refreshed.keySet());
    fleets.addAll(launched.keySet());
    fleets.addAll(terminating.keySet());
    Map<ResourceID, Observation> before = new HashMap<>();
    fleets.forEach(f -> before.put(f, observe(f)));

    Map<String, Instance> byId = swapIn(fetched, startedAt);
    forgetWhatTheSweepShows(byId, startedAt, now);

    Set<ResourceID> changed = new HashSet<>();
    fleets.forEach(
        f -> {
          if (!observe(f).equals(before.get(f))) {
            changed.add(f);
          }
        });
    return changed;
  }

  /** The sweep's answer becomes the observation; describes by id older than it are dropped. */
  private Map<String, Instance> swapIn(Map<ResourceID, Set<Instance>> fetched, Instant startedAt) {
    Map<ResourceID, Map<String, Instance>> next = new HashMap<>();
    Map<String, Instance> byId = new HashMap<>();
    fetched.forEach(
        (fleet, instances) -> {
          Map<String, Instance> ids = new HashMap<>();
          instances.forEach(
              i -> {
                ids.put(i.id(), i);
                byId.put(i.id(), i);
              });
          next.put(fleet, Map.copyOf(ids));
        });
    swept = Map.copyOf(next);
    sweptAt = startedAt;
    synced = true;
    refreshed.values().forEach(m -> m.values().removeIf(r -> !r.at().isAfter(startedAt)));
    refreshed.values().removeIf(Map::isEmpty);
    return byId;
  }

  /**
   * Launches the sweep shows (or too old to wait for) and terminations it shows gone (or too old)
   * need no more remembering.
   */
  private void forgetWhatTheSweepShows(Map<String, Instance> byId, Instant startedAt, Instant now) {
    launched
        .values()
        .forEach(
            m ->
                m.values()
                    .removeIf(
                        r ->
                            byId.containsKey(r.value().id())
                                || !now.isBefore(r.at().plus(LAUNCH_MEMORY))));
    launched.values().removeIf(Map::isEmpty);
    terminating
        .values()
        .forEach(
            m ->
                m.entrySet()
                    .removeIf(
                        e -> {
                          Instance shown = byId.get(e.getKey());
                          return shown == null
                              || shown.state().isGone()
                              || startedAt.isAfter(e.getValue().plus(TERMINATION_MEMORY));
                        }));
    terminating.values().removeIf(Map::isEmpty);
  }
}
