package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Wakes the fleets their class holds when another fleet of their namespace changes: a quota counts
 * the namespace's fleets, so one scaling down, changing class or instance type, or going away may
 * free what another waits for, and nothing else tells that one (it would look again only after
 * {@link ClassPolicy#RECHECK}). Only a fleet whose own spec changed (or which is being deleted)
 * wakes others, and a held fleet woken so has not changed its spec: no fleet wakes another in turn.
 */
public final class ClassHoldWakeUps extends AbstractEventSource<ServerFleet, ServerFleet> {
  public static final String NAME = "class-hold-wake-ups";

  public ClassHoldWakeUps() {
    super(ServerFleet.class, NAME);
  }

  /**
   * After a pass of {@code fleet}: wakes the namespace's held fleets when {@code fleet} came with a
   * spec its status had not seen yet, or is being deleted.
   *
   * @param namespace the fleets of its namespace, as the informer holds them
   */
  public void after(ServerFleet fleet, Collection<ServerFleet> namespace) {
    if (isRunning() && getEventHandler() != null && changed(fleet)) {
      held(fleet, namespace).forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }

  /** Whether this pass is the first to see the fleet's spec (or its deletion). */
  static boolean changed(ServerFleet fleet) {
    return fleet.isMarkedForDeletion()
        || fleet.getStatus() == null
        || !Objects.equals(
            fleet.getStatus().getObservedGeneration(), fleet.getMetadata().getGeneration());
  }

  /** The other fleets of the namespace whose Degraded condition says their class holds them. */
  static Set<ResourceID> held(ServerFleet fleet, Collection<ServerFleet> namespace) {
    String uid = fleet.getMetadata().getUid();
    return namespace.stream()
        .filter(f -> !Objects.equals(uid, f.getMetadata().getUid()))
        .filter(f -> f.getStatus() != null)
        .filter(
            f ->
                f.getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            Conditions.DEGRADED.equals(c.getType())
                                && "True".equals(c.getStatus())
                                && ClassPolicy.REASON.equals(c.getReason())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public Set<ServerFleet> getSecondaryResources(ServerFleet primary) {
    return Set.of();
  }
}
