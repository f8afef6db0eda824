package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.controller.FleetStore.StoredRevision;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet's revision history, as {@code kubectl rollout history} shows a Deployment's: every
 * template revision is stored once with an increasing number; a template that comes back (an undo,
 * a rollback, a revert in git) gets the next number again; the oldest beyond
 * spec.revisionHistoryLimit go, except the current one and those that still have instances.
 */
final class RevisionHistory {
  private final FleetStore store;

  RevisionHistory(FleetStore store) {
    this.store = store;
  }

  /**
   * Makes sure {@code hash} is stored as the newest revision and returns its number, pruning what
   * the limit no longer keeps.
   *
   * @param live hashes that still have instances: never pruned
   */
  long record(
      ServerFleet fleet, String hash, FleetRevisions.Data data, int limit, Set<String> live) {
    List<StoredRevision> stored = store.revisions(fleet);
    long newest = stored.stream().mapToLong(StoredRevision::number).max().orElse(0);
    Optional<StoredRevision> existing = find(stored, hash);
    long number;
    if (existing.isEmpty()) {
      number = newest + 1;
      store.create(fleet, hash, number, data);
    } else if (existing.get().number() < newest) {
      number = newest + 1;
      store.renumber(fleet, hash, number);
    } else {
      number = existing.get().number();
    }
    prune(fleet, stored, hash, limit, live);
    return number;
  }

  List<StoredRevision> all(ServerFleet fleet) {
    return store.revisions(fleet).stream()
        .sorted(Comparator.comparingLong(StoredRevision::number))
        .toList();
  }

  static Optional<StoredRevision> find(List<StoredRevision> revisions, String hash) {
    return revisions.stream().filter(r -> r.hash().equals(hash)).findFirst();
  }

  /** Keeps the current revision, those with instances, and the newest {@code limit} others. */
  private void prune(
      ServerFleet fleet, List<StoredRevision> stored, String current, int limit, Set<String> live) {
    List<StoredRevision> old =
        stored.stream()
            .filter(r -> !r.hash().equals(current))
            .sorted(Comparator.comparingLong(StoredRevision::number).reversed())
            .toList();
    for (int i = limit; i < old.size(); i++) {
      if (!live.contains(old.get(i).hash())) {
        store.delete(fleet, old.get(i).hash());
      }
    }
  }
}
