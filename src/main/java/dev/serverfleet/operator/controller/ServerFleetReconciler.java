package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.InstancePoller;
import dev.serverfleet.operator.cloud.OwnershipTags;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.planning.FleetPlanner;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.planning.Revision;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sequences observe → plan → act → record for one ServerFleet. Decisions are the planner's; calls
 * are {@link FleetActions}'; status is {@link StatusBuilder}'s. This class only orders them and
 * makes sure a launch intent is in the API server before its RunInstances call is made.
 */
@ControllerConfiguration(name = ServerFleetReconciler.NAME)
public class ServerFleetReconciler implements Reconciler<ServerFleet>, Cleaner<ServerFleet> {
  public static final String NAME = "serverfleet";
  /** How soon to look again while launches are in flight or instances are settling. */
  static final Duration SETTLE = Duration.ofSeconds(5);

  private final Ec2Port ec2;
  private final String clusterName;
  private final Duration pollInterval;
  private final Clock clock;
  private final PlanInput.Timing timing;
  private final FleetMetrics metrics;
  private final FleetBackoff backoff = new FleetBackoff();
  private final FleetActions actions;
  private PollingEventSource<Instance, ServerFleet, String> instances;

  public ServerFleetReconciler(Ec2Port ec2, String clusterName, Duration pollInterval, Clock clock,
      PlanInput.Timing timing, EventRecorder events, FleetMetrics metrics) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.pollInterval = pollInterval;
    this.clock = clock;
    this.timing = timing;
    this.metrics = metrics;
    this.actions = new FleetActions(ec2, clusterName, events, metrics, backoff);
  }

  @Override
  public List<EventSource<?, ServerFleet>> prepareEventSources(EventSourceContext<ServerFleet> context) {
    instances = InstancePoller.eventSource(ec2, clusterName, pollInterval);
    return List.of(instances);
  }

  @Override
  public UpdateControl<ServerFleet> reconcile(ServerFleet fleet, Context<ServerFleet> context) {
    Instant now = clock.instant();
    String uid = fleet.getMetadata().getUid();
    long generation = Optional.ofNullable(fleet.getMetadata().getGeneration()).orElse(0L);

    // observe
    List<Instance> owned = context.getSecondaryResources(Instance.class).stream()
        .filter(i -> i.ownedBy(clusterName, uid))
        .toList();
    LaunchSettings settings = FleetSpecs.launchSettings(fleet.getSpec().getTemplate());
    String revision = Revision.of(settings);
    List<Intent> recorded = fleet.getStatus() == null ? List.of()
        : fleet.getStatus().getLaunchIntents().stream().map(StatusBuilder::intent).toList();

    // plan
    Optional<FleetBackoff.Hold> hold = backoff.hold(uid, generation, now);
    Plan plan = FleetPlanner.plan(new PlanInput(FleetSpecs.replicas(fleet), FleetSpecs.subnetIds(fleet), revision,
        clusterName, uid, owned, recorded, backoff.avoidedSubnets(uid, now), now, timing));
    if (hold.isPresent()) {
      plan = withoutNewLaunches(plan);
    }

    // record the intents before acting on them: a crash after the call must find them
    ServerFleet current = fleet;
    if (!plan.newLaunches().isEmpty()) {
      current = patchStatus(current, context,
          StatusBuilder.build(current, revision, owned, plan.intents(), degradation(hold), now));
    }

    // act
    FleetActions.Outcome outcome = actions.apply(current, plan, settings, now,
        i -> instances.handleRecentResourceCreate(ResourceID.fromResource(fleet), i));

    // record what is now known
    List<Instance> seen = new ArrayList<>(owned);
    seen.addAll(outcome.launched());
    Optional<Degradation> degraded = outcome.degraded().or(() -> degradation(hold));
    ServerFleetStatus status = StatusBuilder.build(current, revision, seen, outcome.intents(), degraded, now);
    if (!status.equals(current.getStatus())) {
      current = patchStatus(current, context, status);
    }
    metrics.replicas(fleet, FleetSpecs.replicas(fleet), status.getReplicas(), status.getReadyReplicas());

    UpdateControl<ServerFleet> control = UpdateControl.noUpdate();
    Optional<Duration> next = outcome.retryIn();
    if (next.isEmpty() && (!outcome.intents().isEmpty() || !plan.isEmpty() || settling(seen))) {
      next = Optional.of(SETTLE);
    }
    if (next.isEmpty() && hold.isPresent()) {
      next = Optional.of(Duration.between(now, hold.get().until()));
    }
    return next.map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public DeleteControl cleanup(ServerFleet fleet, Context<ServerFleet> context) {
    String uid = fleet.getMetadata().getUid();
    List<Instance> present = context.getSecondaryResources(Instance.class).stream()
        .filter(i -> i.ownedBy(clusterName, uid) && !i.state().isGone())
        .toList();
    List<String> ids = present.stream().map(Instance::id).toList();
    boolean retain = FleetSpecs.deletionPolicy(fleet.getSpec()) == DeletionPolicy.Retain;
    try {
      if (!ids.isEmpty()) {
        if (retain) {
          ec2.untag(ids, OwnershipTags.OWNERSHIP_KEYS);
        } else {
          ec2.terminate(ids);
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(SETTLE);
      }
    } catch (CloudException e) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff.failed(uid));
    }
    if (launchesMayStillAppear(fleet)) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(SETTLE);
    }
    backoff.forget(uid);
    metrics.forget(fleet);
    return DeleteControl.defaultDelete();
  }

  /** An intent younger than its retry time may still surface instances that must not leak. */
  private boolean launchesMayStillAppear(ServerFleet fleet) {
    Instant now = clock.instant();
    return fleet.getStatus() != null && fleet.getStatus().getLaunchIntents().stream()
        .map(StatusBuilder::intent)
        .anyMatch(i -> Duration.between(i.createdAt(), now).compareTo(timing.retryAfter()) < 0);
  }

  private ServerFleet patchStatus(ServerFleet fleet, Context<ServerFleet> context, ServerFleetStatus status) {
    ServerFleet patch = new ServerFleet();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(fleet.getMetadata().getName())
        .withNamespace(fleet.getMetadata().getNamespace())
        .withResourceVersion(fleet.getMetadata().getResourceVersion())
        .build());
    patch.setStatus(status);
    return PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(fleet, patch, context);
  }

  private static boolean settling(List<Instance> instances) {
    return instances.stream().anyMatch(i -> !i.state().isGone() && i.state() != dev.serverfleet.operator.cloud.InstanceState.RUNNING);
  }

  private static Optional<Degradation> degradation(Optional<FleetBackoff.Hold> hold) {
    return hold.map(h -> new Degradation(h.reason(), h.message()));
  }

  private static Plan withoutNewLaunches(Plan plan) {
    List<String> fresh = plan.newLaunches().stream().map(l -> l.token()).toList();
    return new Plan(
        plan.launches().stream().filter(l -> l.retry()).toList(),
        plan.terminations(),
        plan.intents().stream().filter(i -> !fresh.contains(i.token())).toList(),
        plan.expired());
  }
}
