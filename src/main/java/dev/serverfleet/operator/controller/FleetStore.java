package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import java.util.List;
import java.util.Map;

/**
 * What the loop reads and writes in the API server besides status: the fleet's revision history
 * (ControllerRevisions, laid out as {@link FleetRevisions} says) and, for rollbacks and checkpoint
 * pauses, the fleet itself. Plain storage: what to record when is decided by {@link
 * RevisionHistory} and {@link RolloutSafety}. The Kubernetes implementation is {@link
 * KubeFleetStore}; tests use one in memory.
 */
public interface FleetStore {

  /** One stored revision. */
  record StoredRevision(
      String hash, long number, FleetRevisions.Data data, Map<String, String> annotations) {}

  /** The fleet's revisions, in any order. */
  List<StoredRevision> revisions(ServerFleet fleet);

  /**
   * Stores a new revision; throws if this fleet has one with this hash already. A revision of the
   * same name left by an earlier fleet of the same name (another uid; garbage collection has not
   * come round to it yet, or there is none) is replaced.
   */
  void create(ServerFleet fleet, String hash, long number, FleetRevisions.Data data);

  /** Gives a stored revision a new number (a template that returns after others). */
  void renumber(ServerFleet fleet, String hash, long number);

  /** Sets one annotation on a stored revision. */
  void annotate(ServerFleet fleet, String hash, String key, String value);

  void delete(ServerFleet fleet, String hash);

  /**
   * Deletes every revision of the fleet (it is being deleted); garbage collection is the backstop.
   */
  void deleteAll(ServerFleet fleet);

  /**
   * Writes a changed fleet (spec and metadata) if nobody changed it since {@code
   * changed.getMetadata().getResourceVersion()}; throws on a conflict. Returns the fleet as stored.
   */
  ServerFleet update(ServerFleet changed);
}
