package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about a ServerFleet, the ones {@code kubectl describe sf} shows. An event
 * that cannot be written is logged, never allowed to fail a reconcile.
 */
public class EventRecorder implements FleetEvents {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "serverfleet-operator";

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void normal(ServerFleet fleet, String reason, String message) {
    record(fleet, "Normal", reason, message);
  }

  @Override
  public void warning(ServerFleet fleet, String reason, String message) {
    record(fleet, "Warning", reason, message);
  }

  private void record(ServerFleet fleet, String type, String reason, String message) {
    log.info("{} {} {}: {}", fleet.fleetKey(), type, reason, message);
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                fleet.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13))
            .withNamespace(fleet.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(fleet.getApiVersion())
                    .withKind(fleet.getKind())
                    .withName(fleet.getMetadata().getName())
                    .withNamespace(fleet.getMetadata().getNamespace())
                    .withUid(fleet.getMetadata().getUid())
                    .withResourceVersion(fleet.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(fleet.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      log.warn("could not record event {} for {}: {}", reason, fleet.fleetKey(), e.getMessage());
    }
  }
}
