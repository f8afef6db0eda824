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
 * <p>Threads: every method holds this object's monitor for in-memory work only (no I/O, no
 * callbacks), microseconds even for 10,000 instances; the sweep's HTTP calls happen outside it.
 */
final class InstanceCache {
  static final Duration LAUNCH_MEMORY = Duration.ofMinutes(15);
  static final Duration TERMINATION_MEMORY = Duration.ofSeconds(60);

  private static final Comparator<Instance> BY_ID = Comparator.comparing(Instance::id);

  private record Recorded<T>(T value, Instant at) {}

  private Map<ResourceID, Map<String, Instance>> swept = Map.of();
  private final Map<ResourceID, Map<String, Recorded<Instance>>> launched = new HashMap<>();
  private final Map<ResourceID, Map<String, Instant>> terminating = new HashMap<>();
  private boolean synced;

  /** Whether a sweep has completed: before that, "no instances" means "not looked yet". */
  synchronized boolean synced() {
    return synced;
  }

  synchronized Observation observe(ResourceID fleet) {
    Map<String, Instance> base = swept.getOrDefault(fleet, Map.of());
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

  synchronized void launched(ResourceID fleet, Instance instance, Instant now) {
    launched
        .computeIfAbsent(fleet, k -> new HashMap<>())
        .putIfAbsent(instance.id(), new Recorded<>(instance, now));
  }

  synchronized void terminating(ResourceID fleet, String instanceId, Instant now) {
    terminating.computeIfAbsent(fleet, k -> new HashMap<>()).put(instanceId, now);
  }

  /** The fleet is gone: forget what was recorded for it (the next sweep drops its snapshot). */
  synchronized void forget(ResourceID fleet) {
    launched.remove(fleet);
    terminating.remove(fleet);
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
    fleets.addAll(launched.keySet());
    fleets.addAll(terminating.keySet());
    Map<ResourceID, Observation> before = new HashMap<>();
    fleets.forEach(f -> before.put(f, observe(f)));

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
    synced = true;

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

    Set<ResourceID> changed = new HashSet<>();
    fleets.forEach(
        f -> {
          if (!observe(f).equals(before.get(f))) {
            changed.add(f);
          }
        });
    return changed;
  }
}
