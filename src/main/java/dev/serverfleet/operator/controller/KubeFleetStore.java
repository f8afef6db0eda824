package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link FleetStore} on the API server: ControllerRevisions and the fleet itself. */
public final class KubeFleetStore implements FleetStore {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesClient client;

  public KubeFleetStore(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<StoredRevision> revisions(ServerFleet fleet) {
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(fleet.getMetadata().getNamespace())
        .withLabel(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid())
        .list()
        .getItems()
        .stream()
        .map(KubeFleetStore::stored)
        .toList();
  }

  @Override
  public void create(ServerFleet fleet, String hash, long number, FleetRevisions.Data data) {
    Map<String, String> annotations = new HashMap<>();
    annotations.put(FleetRevisions.FLEET, fleet.getMetadata().getName());
    Optional.ofNullable(fleet.getMetadata().getAnnotations())
        .map(a -> a.get(FleetRevisions.CHANGE_CAUSE))
        .ifPresent(cause -> annotations.put(FleetRevisions.CHANGE_CAUSE, cause));
    ControllerRevision revision = new ControllerRevision();
    revision.setMetadata(
        new ObjectMetaBuilder()
            .withName(FleetRevisions.name(fleet.getMetadata().getName(), hash))
            .withNamespace(fleet.getMetadata().getNamespace())
            .addToLabels(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid())
            .addToLabels(FleetRevisions.REVISION, hash)
            .withAnnotations(annotations)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(fleet.getApiVersion())
                    .withKind(fleet.getKind())
                    .withName(fleet.getMetadata().getName())
                    .withUid(fleet.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    revision.setRevision(number);
    revision.setData(data);
    try {
      client.resource(revision).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || !replaceStale(fleet, hash)) {
        throw e;
      }
      client.resource(revision).create();
    }
  }

  /**
   * Deletes the revision of this name when an earlier fleet of the same name left it; returns
   * whether it did.
   */
  private boolean replaceStale(ServerFleet fleet, String hash) {
    ControllerRevision existing = revision(fleet, hash).get();
    if (existing == null) {
      return true;
    }
    String owner =
        Optional.ofNullable(existing.getMetadata().getLabels())
            .map(l -> l.get(FleetRevisions.FLEET_UID))
            .orElse("");
    if (owner.equals(fleet.getMetadata().getUid())) {
      return false;
    }
    revision(fleet, hash).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    return true;
  }

  @Override
  public void renumber(ServerFleet fleet, String hash, long number) {
    rewrite(fleet, hash, r -> r.setRevision(number));
  }

  @Override
  public void annotate(ServerFleet fleet, String hash, String key, String value) {
    rewrite(
        fleet,
        hash,
        r -> {
          Map<String, String> annotations =
              new HashMap<>(Optional.ofNullable(r.getMetadata().getAnnotations()).orElse(Map.of()));
          annotations.put(key, value);
          r.getMetadata().setAnnotations(annotations);
        });
  }

  /**
   * Changes a revision's metadata or number with a PUT of the object as read (optimistic, on its
   * resourceVersion), its data serialized exactly as at creation. Not a patch: the API server
   * re-encodes a patched object, and its JSON encoder escapes {@code <}, {@code >} and {@code &} in
   * the data (a user-data script has them) where ours did not, so the immutable data would read as
   * changed and the patch be refused.
   */
  private void rewrite(
      ServerFleet fleet, String hash, java.util.function.Consumer<ControllerRevision> change) {
    ControllerRevision r = revision(fleet, hash).get();
    if (r == null) {
      throw new IllegalStateException(
          "controllerrevision "
              + FleetRevisions.name(fleet.getMetadata().getName(), hash)
              + " is gone");
    }
    r.setData(JSON.convertValue(r.getData(), FleetRevisions.Data.class));
    change.accept(r);
    client.resource(r).update();
  }

  @Override
  public void delete(ServerFleet fleet, String hash) {
    revision(fleet, hash).delete();
  }

  @Override
  public void deleteAll(ServerFleet fleet) {
    // one DELETE each: RBAC grants delete, not deletecollection, so no other fleet's can go
    revisions(fleet).forEach(r -> delete(fleet, r.hash()));
  }

  @Override
  public ServerFleet update(ServerFleet changed) {
    return client.resource(changed).update();
  }

  private Resource<ControllerRevision> revision(ServerFleet fleet, String hash) {
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(fleet.getMetadata().getNamespace())
        .withName(FleetRevisions.name(fleet.getMetadata().getName(), hash));
  }

  private static StoredRevision stored(ControllerRevision r) {
    Map<String, String> annotations =
        Optional.ofNullable(r.getMetadata().getAnnotations()).orElse(Map.of());
    return new StoredRevision(
        r.getMetadata().getLabels().get(FleetRevisions.REVISION),
        Optional.ofNullable(r.getRevision()).orElse(0L),
        JSON.convertValue(r.getData(), FleetRevisions.Data.class),
        Map.copyOf(annotations));
  }
}
