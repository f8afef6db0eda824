package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.InstancePoller;
import dev.serverfleet.operator.cloud.InstanceState;
import dev.serverfleet.operator.cloud.OwnershipTags;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The JOSDK face of {@link FleetLoop}: feeds it the poller's view of EC2, persists status with a
 * server-side-apply status patch that JOSDK caches for the next reconcile, and on deletion
 * terminates (Delete) or releases (Retain) the fleet's instances before the finalizer goes.
 */
@ControllerConfiguration(name = ServerFleetReconciler.NAME)
public class ServerFleetReconciler implements Reconciler<ServerFleet>, Cleaner<ServerFleet> {
  public static final String NAME = "serverfleet";

  private final Ec2Port ec2;
  private final Duration pollInterval;
  private final Clock clock;
  private final Duration intentRetry;
  private final FleetLoop loop;
  private final FleetMetrics metrics;
  private PollingEventSource<Instance, ServerFleet, String> instances;

  public ServerFleetReconciler(Ec2Port ec2, Duration pollInterval, Clock clock, Duration intentRetry, FleetLoop loop,
      FleetMetrics metrics) {
    this.ec2 = ec2;
    this.pollInterval = pollInterval;
    this.clock = clock;
    this.intentRetry = intentRetry;
    this.loop = loop;
    this.metrics = metrics;
  }

  /**
   * Which updates of a ServerFleet deserve a reconcile: a new generation (spec change), a new
   * {@code serverfleet.dev/restartedAt} annotation (which changes the revision without touching
   * spec, as {@code kubectl rollout restart} does), deletion, or finalizer changes. Status-only
   * updates, our own included, do not. Used with JOSDK's generation awareness off, since that
   * would drop the annotation change.
   */
  public static boolean relevantUpdate(ServerFleet newer, ServerFleet older) {
    return !java.util.Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
        || !java.util.Objects.equals(FleetSpecs.restartedAt(newer), FleetSpecs.restartedAt(older))
        || newer.isMarkedForDeletion()
        || !java.util.Objects.equals(newer.getMetadata().getFinalizers(), older.getMetadata().getFinalizers());
  }

  @Override
  public List<EventSource<?, ServerFleet>> prepareEventSources(EventSourceContext<ServerFleet> context) {
    instances = InstancePoller.eventSource(ec2, loop.clusterName(), pollInterval,
        fleet -> context.getPrimaryCache().get(fleet).map(f -> f.getSpec() != null
            && f.getSpec().getHealthCheck() != null
            && f.getSpec().getHealthCheck().getType() == HealthCheckType.EC2StatusChecks).orElse(false));
    return List.of(instances);
  }

  @Override
  public UpdateControl<ServerFleet> reconcile(ServerFleet fleet, Context<ServerFleet> context) {
    ResourceID id = ResourceID.fromResource(fleet);
    FleetLoop.Result result = loop.run(fleet, List.copyOf(context.getSecondaryResources(Instance.class)),
        (current, status) -> patchStatus(current, context, status),
        new FleetLoop.CacheUpdates() {
          @Override
          public void launched(Instance instance) {
            instances.handleRecentResourceCreate(id, instance);
          }

          @Override
          public void terminating(Instance before) {
            instances.handleRecentResourceUpdate(id, before.withState(InstanceState.SHUTTING_DOWN), before);
          }
        });
    UpdateControl<ServerFleet> control = UpdateControl.noUpdate();
    return result.requeueAfter().map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public DeleteControl cleanup(ServerFleet fleet, Context<ServerFleet> context) {
    String uid = fleet.getMetadata().getUid();
    List<String> ids = context.getSecondaryResources(Instance.class).stream()
        .filter(i -> i.ownedBy(loop.clusterName(), uid) && !i.state().isGone())
        .map(Instance::id)
        .toList();
    if (!ids.isEmpty()) {
      try {
        if (FleetSpecs.deletionPolicy(fleet.getSpec()) == DeletionPolicy.Retain) {
          ec2.untag(ids, OwnershipTags.OWNERSHIP_KEYS);
        } else {
          ec2.terminate(ids);
          metrics.terminated(fleet, ids.size(), "deleted");
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(FleetLoop.SETTLE);
      } catch (CloudException e) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(loop.backoff().failed(uid));
      }
    }
    if (launchesMayStillAppear(fleet)) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(FleetLoop.SETTLE);
    }
    loop.backoff().forget(uid);
    metrics.forget(fleet);
    return DeleteControl.defaultDelete();
  }

  /** An intent younger than its retry time may still surface instances that must not leak. */
  private boolean launchesMayStillAppear(ServerFleet fleet) {
    Instant now = clock.instant();
    return fleet.getStatus() != null && fleet.getStatus().getLaunchIntents().stream()
        .map(StatusBuilder::intent)
        .anyMatch(i -> Duration.between(i.createdAt(), now).compareTo(intentRetry) < 0);
  }

  private static ServerFleet patchStatus(ServerFleet fleet, Context<ServerFleet> context, ServerFleetStatus status) {
    ServerFleet patch = new ServerFleet();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(fleet.getMetadata().getName())
        .withNamespace(fleet.getMetadata().getNamespace())
        .withResourceVersion(fleet.getMetadata().getResourceVersion())
        .build());
    patch.setStatus(status);
    return PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(fleet, patch, context);
  }
}
