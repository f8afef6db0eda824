package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@link FleetStore} in memory: ControllerRevisions per fleet uid, kept as the API server keeps
 * them (a create of an existing name fails); fleet writes go to the given function.
 */
public final class MemoryFleetStore implements FleetStore {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final Map<String, Map<String, StoredRevision>> byFleet = new HashMap<>();
  private final UnaryOperator<ServerFleet> update;

  public MemoryFleetStore(UnaryOperator<ServerFleet> update) {
    this.update = update;
  }

  /** The fleet's revisions by hash, in the order they were first stored. */
  public synchronized Map<String, StoredRevision> of(String fleetUid) {
    return Map.copyOf(byFleet.getOrDefault(fleetUid, Map.of()));
  }

  @Override
  public synchronized List<StoredRevision> revisions(ServerFleet fleet) {
    return List.copyOf(mine(fleet).values());
  }

  @Override
  public synchronized void create(
      ServerFleet fleet, String hash, long number, FleetRevisions.Data data) {
    if (mine(fleet).containsKey(hash)) {
      throw new IllegalStateException("controllerrevisions " + hash + " already exists");
    }
    FleetRevisions.Data copy = JSON.unmarshal(JSON.asJson(data), FleetRevisions.Data.class);
    mine(fleet).put(hash, new StoredRevision(hash, number, copy, Map.of()));
  }

  @Override
  public synchronized void renumber(ServerFleet fleet, String hash, long number) {
    StoredRevision r = mine(fleet).get(hash);
    mine(fleet).put(hash, new StoredRevision(hash, number, r.data(), r.annotations()));
  }

  @Override
  public synchronized void annotate(ServerFleet fleet, String hash, String key, String value) {
    StoredRevision r = mine(fleet).get(hash);
    Map<String, String> annotations = new HashMap<>(r.annotations());
    annotations.put(key, value);
    mine(fleet).put(hash, new StoredRevision(hash, r.number(), r.data(), Map.copyOf(annotations)));
  }

  @Override
  public synchronized void delete(ServerFleet fleet, String hash) {
    mine(fleet).remove(hash);
  }

  @Override
  public synchronized void deleteAll(ServerFleet fleet) {
    byFleet.remove(fleet.getMetadata().getUid());
  }

  @Override
  public ServerFleet update(ServerFleet changed) {
    return update.apply(changed);
  }

  private Map<String, StoredRevision> mine(ServerFleet fleet) {
    return byFleet.computeIfAbsent(fleet.getMetadata().getUid(), k -> new LinkedHashMap<>());
  }
}
