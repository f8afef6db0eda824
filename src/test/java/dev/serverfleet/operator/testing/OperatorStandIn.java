package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes what the operator writes, for tests of its readers (the kubectl plugin) without the
 * operator: fleets, their ControllerRevisions ({@link FleetRevisions}), status through the status
 * subresource, Events as {@code controller/EventRecorder} records them, and the operator's side of
 * the rollback-to annotation.
 */
public final class OperatorStandIn {
  private final KubernetesClient client;

  public OperatorStandIn(KubernetesClient client) {
    this.client = client;
  }

  public static FleetTemplate template(String ami) {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId(ami);
    template.setInstanceType("t3.micro");
    template.setSubnetIds(List.of("subnet-0123456789abcdef0"));
    return template;
  }

  public ServerFleet createFleet(String namespace, String name, String ami, int replicas) {
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(replicas);
    spec.setTemplate(template(ami));
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    fleet.setSpec(spec);
    return client.resource(fleet).create();
  }

  public Resource<ServerFleet> fleet(String namespace, String name) {
    return client.resources(ServerFleet.class).inNamespace(namespace).withName(name);
  }

  /** Revision {@code number} of the fleet: its template (no subnets) and annotations. */
  public void revision(
      ServerFleet fleet, long number, String hash, String ami, Map<String, String> annotations) {
    FleetTemplate template = template(ami);
    template.setSubnetIds(null);
    client
        .resource(
            new ControllerRevisionBuilder()
                .withNewMetadata()
                .withNamespace(fleet.getMetadata().getNamespace())
                .withName(FleetRevisions.name(fleet.getMetadata().getName(), hash))
                .addToLabels(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid())
                .addToLabels(FleetRevisions.REVISION, hash)
                .withAnnotations(annotations)
                .endMetadata()
                .withRevision(number)
                .withData(new FleetRevisions.Data(template, null))
                .build())
        .create();
  }

  /** Changes the fleet's status as the operator's status patch would. */
  public ServerFleet status(String namespace, String name, Consumer<ServerFleetStatus> change) {
    return fleet(namespace, name)
        .editStatus(
            f -> {
              if (f.getStatus() == null) {
                f.setStatus(new ServerFleetStatus());
              }
              change.accept(f.getStatus());
              return f;
            });
  }

  public void event(ServerFleet fleet, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client
        .v1()
        .events()
        .inNamespace(fleet.getMetadata().getNamespace())
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(fleet.getMetadata().getName() + "." + UUID.randomUUID())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(fleet.getApiVersion())
                .withKind(fleet.getKind())
                .withName(fleet.getMetadata().getName())
                .withNamespace(fleet.getMetadata().getNamespace())
                .withUid(fleet.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent("serverfleet-operator")
                .endSource()
                .build())
        .create();
  }

  /**
   * The operator's side of {@code rollout undo}, on another thread: once the fleet carries the
   * rollback-to annotation, either writes {@code ami} as spec.template.amiId, removes the
   * annotation and records RolledBack (refusal == null), or removes it, leaves the spec and records
   * a Warning RollbackRefused with the refusal. Completes with the annotation's value.
   */
  public CompletableFuture<String> answerRollback(
      String namespace, String name, String ami, String refusal) {
    return CompletableFuture.supplyAsync(
        () -> {
          ServerFleet asked =
              fleet(namespace, name)
                  .waitUntilCondition(
                      f ->
                          f != null
                              && f.getMetadata().getAnnotations() != null
                              && f.getMetadata()
                                  .getAnnotations()
                                  .containsKey(ServerFleet.ROLLBACK_TO),
                      60,
                      TimeUnit.SECONDS);
          String value = asked.getMetadata().getAnnotations().get(ServerFleet.ROLLBACK_TO);
          ServerFleet after =
              fleet(namespace, name)
                  .edit(
                      f -> {
                        f.getMetadata().getAnnotations().remove(ServerFleet.ROLLBACK_TO);
                        if (refusal == null) {
                          f.getSpec().getTemplate().setAmiId(ami);
                        }
                        return f;
                      });
          if (refusal == null) {
            event(after, "Normal", "RolledBack", "Rolled back to revision " + value);
          } else {
            event(after, "Warning", "RollbackRefused", refusal);
          }
          return value;
        });
  }
}
