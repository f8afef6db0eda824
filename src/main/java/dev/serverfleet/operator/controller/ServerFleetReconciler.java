package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.fleet.Instance;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JOSDK face of {@link FleetLoop}: feeds it the sweep's view of EC2, persists status with a
 * server-side-apply status patch that JOSDK caches for the next reconcile, turns unexpected
 * exceptions into a Degraded condition, and on deletion hands over to {@link FleetDeletion} before
 * the finalizer goes.
 */
@ControllerConfiguration(name = ServerFleetReconciler.NAME)
public class ServerFleetReconciler implements Reconciler<ServerFleet>, Cleaner<ServerFleet> {
  public static final String NAME = "serverfleet";

  /** How soon to look again while the first sweep of EC2 has not completed. */
  static final Duration UNSYNCED_RETRY = Duration.ofSeconds(1);

  private final InstanceSweep sweep;
  private final FleetLoop loop;
  private final FleetDeletion deletion;
  private final DeletionDrain deletionDrain;
  private final FleetDirectory fleets;
  private final Clock clock;
  private final FleetStore store;
  private final ClassHoldWakeUps classHolds = new ClassHoldWakeUps();
  private final InterruptionNotices notices;
  private final java.util.Optional<InterruptionConsumer> interruptions;

  public ServerFleetReconciler(
      InstanceSweep sweep,
      FleetLoop loop,
      FleetDirectory fleets,
      Ec2Port ec2,
      FleetEvents events,
      FleetMetrics metrics,
      FleetStore store,
      Clock clock) {
    this(
        sweep,
        loop,
        fleets,
        ec2,
        events,
        metrics,
        store,
        clock,
        new InterruptionNotices(),
        java.util.Optional.empty());
  }

  /**
   * @param notices interruption notices on their way into status, settled after each reconcile
   * @param interruptions the interruption queue's consumer, an event source of its own, if any
   */
  public ServerFleetReconciler(
      InstanceSweep sweep,
      FleetLoop loop,
      FleetDirectory fleets,
      Ec2Port ec2,
      FleetEvents events,
      FleetMetrics metrics,
      FleetStore store,
      Clock clock,
      InterruptionNotices notices,
      java.util.Optional<InterruptionConsumer> interruptions) {
    this.store = store;
    this.notices = notices;
    this.interruptions = interruptions;
    this.sweep = sweep;
    this.fleets = fleets;
    this.loop = loop;
    this.deletion = new FleetDeletion(ec2, loop.clusterName(), events, metrics, loop.failures());
    this.deletionDrain = new DeletionDrain(ec2, loop.clusterName(), events, metrics);
    this.clock = clock;
  }

  /**
   * Which updates of a ServerFleet deserve a reconcile: a new generation (spec change), a new
   * {@code serverfleet.dev/restartedAt} annotation (which changes the revision without touching
   * spec, as {@code kubectl rollout restart} does), a {@code serverfleet.dev/rollback-to} request,
   * deletion, or finalizer changes. Status-only updates, our own included, do not. Used with
   * JOSDK's generation awareness off, since that would drop the annotation change.
   */
  public static boolean relevantUpdate(ServerFleet newer, ServerFleet older) {
    return !Objects.equals(newer.getMetadata().getGeneration(), older.getMetadata().getGeneration())
        || !Objects.equals(SpecDefaults.restartedAt(newer), SpecDefaults.restartedAt(older))
        || !Objects.equals(rollbackTo(newer), rollbackTo(older))
        || newer.isMarkedForDeletion()
        || !Objects.equals(
            newer.getMetadata().getFinalizers(), older.getMetadata().getFinalizers());
  }

  private static String rollbackTo(ServerFleet fleet) {
    Map<String, String> annotations = fleet.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ServerFleet.ROLLBACK_TO);
  }

  @Override
  public List<EventSource<?, ServerFleet>> prepareEventSources(
      EventSourceContext<ServerFleet> context) {
    fleets.use(context);
    InformerEventSource<ServerFleetClass, ServerFleet> classes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ServerFleetClass.class, ServerFleet.class)
                .withName("serverfleetclasses")
                .withWatchAllNamespaces()
                .withSecondaryToPrimaryMapper(c -> usersOf(c, context))
                .build(),
            context);
    loop.useClasses(
        new FleetClasses() {
          @Override
          public Collection<ServerFleetClass> classes() {
            return classes.list(c -> true).toList();
          }

          @Override
          public Collection<ServerFleet> fleetsIn(String namespace) {
            return context.getPrimaryCache().list(namespace).toList();
          }
        });
    List<EventSource<?, ServerFleet>> sources =
        new java.util.ArrayList<>(List.of(sweep, classes, classHolds));
    interruptions.ifPresent(sources::add);
    return sources;
  }

  /**
   * The fleets a change of this class may concern: those naming it, and those naming none (it may
   * be, or have been, the default class).
   */
  private static Set<ResourceID> usersOf(
      ServerFleetClass changed, EventSourceContext<ServerFleet> context) {
    String name = changed.getMetadata().getName();
    return context
        .getPrimaryCache()
        .list(f -> SpecDefaults.className(f) == null || name.equals(SpecDefaults.className(f)))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<ServerFleet> reconcile(ServerFleet fleet, Context<ServerFleet> context) {
    if (!sweep.synced()) {
      // No sweep yet: an empty view would read as "no instances" and launch the whole fleet again.
      return UpdateControl.<ServerFleet>noUpdate().rescheduleAfter(UNSYNCED_RETRY);
    }
    ResourceID id = ResourceID.fromResource(fleet);
    var stored = new java.util.concurrent.atomic.AtomicReference<>(fleet);
    FleetLoop.Result result =
        loop.run(
            fleet,
            sweep.observe(id).withNotices(notices.of(id)),
            (current, status) -> {
              stored.set(patchStatus(current, context, status));
              return stored.get();
            },
            cacheFor(id));
    classHolds.after(
        fleet, context.getPrimaryCache().list(fleet.getMetadata().getNamespace()).toList());
    // The status now records the notices it was given: their messages may be deleted.
    notices.settle(id, stored.get().getStatus());
    UpdateControl<ServerFleet> control = UpdateControl.noUpdate();
    return result.requeueAfter().map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public DeleteControl cleanup(ServerFleet fleet, Context<ServerFleet> context) {
    if (!sweep.synced()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(UNSYNCED_RETRY);
    }
    ResourceID id = ResourceID.fromResource(fleet);
    classHolds.after(
        fleet, context.getPrimaryCache().list(fleet.getMetadata().getNamespace()).toList());
    // Drain before terminate, for deletion too: the finalizer waits for the fleet's drains.
    Optional<DeletionDrain.Waiting> draining =
        Ec2RateLimits.callingAs(
            fleet.fleetKey(),
            () ->
                deletionDrain.run(
                    fleet,
                    sweep.observe(id),
                    loop.drains(),
                    (current, status) -> patchStatus(current, context, status),
                    cacheFor(id),
                    clock.instant()));
    if (draining.isPresent()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(draining.get().retryIn());
    }
    FleetDeletion.Result result = deletion.run(fleet, sweep.observe(id), cacheFor(id));
    if (result.retryIn().isPresent()) {
      result.failure().ifPresent(why -> degrade(fleet, context, "DeletionFailed", why));
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(result.retryIn().get());
    }
    forgetHistory(fleet);
    sweep.forget(id);
    return DeleteControl.defaultDelete();
  }

  /**
   * The fleet's ControllerRevisions go with it: they are owned by it, but a cluster's garbage
   * collector may come round late (or, as in a bare control plane, never), and a new fleet of the
   * same name must not meet them. Best effort: the fleet's instances are handled already.
   */
  private void forgetHistory(ServerFleet fleet) {
    try {
      store.deleteAll(fleet);
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(ServerFleetReconciler.class)
          .warn("could not delete the revision history of {}: {}", fleet.fleetKey(), e.toString());
    }
  }

  /** An exception nothing else handled becomes Degraded=True with its message; JOSDK retries. */
  @Override
  public ErrorStatusUpdateControl<ServerFleet> updateErrorStatus(
      ServerFleet fleet, Context<ServerFleet> context, Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    try {
      degrade(
          fleet,
          context,
          "ReconcileError",
          message.length() > 1024 ? message.substring(0, 1024) : message);
    } catch (RuntimeException patchFailed) {
      e.addSuppressed(patchFailed);
    }
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  private void degrade(
      ServerFleet fleet, Context<ServerFleet> context, String reason, String message) {
    ServerFleetStatus status =
        FleetConditions.withDegraded(
            fleet,
            reason,
            message,
            fleet.getStatus() == null ? null : fleet.getStatus().getRollout(),
            clock.instant());
    patchStatus(fleet, context, status);
  }

  private FleetLoop.CacheUpdates cacheFor(ResourceID id) {
    return new FleetLoop.CacheUpdates() {
      @Override
      public void launched(Instance instance) {
        sweep.launched(id, instance);
      }

      @Override
      public void terminating(String instanceId) {
        sweep.terminating(id, instanceId);
      }
    };
  }

  /**
   * A server-side-apply status patch without resourceVersion: this operator is the status' only
   * writer and reconciles of one fleet never run at once, so a concurrent spec change (say {@code
   * kubectl scale}) must not turn the write into a 409 after the pass has already acted.
   */
  private static ServerFleet patchStatus(
      ServerFleet fleet, Context<ServerFleet> context, ServerFleetStatus status) {
    ServerFleet patch = new ServerFleet();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(fleet.getMetadata().getName())
            .withNamespace(fleet.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    ServerFleet stored =
        context
            .getClient()
            .resource(patch)
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withForce(true)
                    .withFieldManager(context.getControllerConfiguration().fieldManager())
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .build());
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(fleet), stored, fleet);
    return stored;
  }
}
