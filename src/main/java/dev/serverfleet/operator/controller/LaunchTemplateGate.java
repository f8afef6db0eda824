package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.LaunchTemplates;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import dev.serverfleet.operator.planning.LaunchSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A fleet's launch template before its pass plans: resolved to a version (through the shared {@link
 * LaunchTemplateResolver}), or the pass holds. Held, the fleet launches nothing and terminates
 * nothing, status says Degraded {@value #REASON} with a message naming the template, one Warning
 * event says it when the message is new, and the next look is one refresh period later (no hot
 * loop). A version that sets no image or no instance type where the fleet sets none holds the same
 * way: RunInstances would only fail.
 */
final class LaunchTemplateGate {
  static final String REASON = "LaunchTemplateUnavailable";

  /** Fleets without a launch template: never held, never resolved. */
  static final LaunchTemplateGate NONE =
      new LaunchTemplateGate(
          LaunchTemplates.NONE,
          Duration.ofMinutes(1),
          Clock.systemUTC(),
          new FleetEvents() {
            @Override
            public void normal(ServerFleet fleet, String reason, String message) {}

            @Override
            public void warning(ServerFleet fleet, String reason, String message) {}
          });

  /**
   * The version the pass launches from (empty without a template), or the result of a held pass.
   */
  record Check(Optional<LaunchTemplateVersion> version, Optional<FleetLoop.Result> held) {
    static final Check NO_TEMPLATE = new Check(Optional.empty(), Optional.empty());
  }

  private final LaunchTemplateResolver resolver;
  private final FleetEvents events;

  LaunchTemplateGate(LaunchTemplates port, Duration refresh, Clock clock, FleetEvents events) {
    this.resolver = new LaunchTemplateResolver(port, refresh, clock);
    this.events = events;
  }

  /** Resolves the fleet's launch template; when it cannot be launched from, holds the pass. */
  Check check(ServerFleet fleet, FleetLoop.StatusWriter writer, Instant now) {
    FleetTemplate t = fleet.getSpec().getTemplate();
    if (t.getLaunchTemplate() == null) {
      return Check.NO_TEMPLATE;
    }
    Either found = version(t);
    if (found.refusal() != null) {
      return new Check(Optional.empty(), Optional.of(hold(fleet, found.refusal(), writer, now)));
    }
    return new Check(Optional.of(found.version()), Optional.empty());
  }

  private record Either(LaunchTemplateVersion version, String refusal) {}

  /** The version, or why the fleet cannot launch from it. */
  private Either version(FleetTemplate t) {
    LaunchTemplateResolver.Resolution r = resolver.resolve(t.getLaunchTemplate());
    if (r.version().isEmpty()) {
      return new Either(null, r.failure().orElseThrow());
    }
    LaunchTemplateVersion v = r.version().get();
    if (t.getAmiId() == null && v.imageId() == null) {
      return new Either(null, "spec.template.amiId is not set and " + lt(v) + " sets no image");
    }
    if (SpecDefaults.instanceTypes(t).isEmpty() && v.instanceType() == null) {
      return new Either(
          null, "spec.template.instanceType is not set and " + lt(v) + " sets no instance type");
    }
    return new Either(v, null);
  }

  private static String lt(LaunchTemplateVersion v) {
    return "launch template " + v.describe();
  }

  /**
   * Writes Degraded (with a Warning event when the message is new), launching and terminating
   * nothing, and looks again in one refresh period.
   */
  private FleetLoop.Result hold(
      ServerFleet fleet, String message, FleetLoop.StatusWriter writer, Instant now) {
    ServerFleetStatus before = fleet.getStatus();
    ServerFleetStatus status =
        FleetConditions.withDegraded(
            fleet, REASON, message, before == null ? null : before.getRollout(), now);
    if (!message.equals(degradedMessage(before))) {
      events.warning(fleet, REASON, message);
    }
    if (!status.equals(before)) {
      writer.write(fleet, status);
    }
    return new FleetLoop.Result(Optional.of(resolver.refresh()));
  }

  private static String degradedMessage(ServerFleetStatus status) {
    return status == null
        ? null
        : status.getConditions().stream()
            .filter(c -> Conditions.DEGRADED.equals(c.getType()) && "True".equals(c.getStatus()))
            .map(c -> c.getMessage())
            .findFirst()
            .orElse(null);
  }

  /** How soon to look again for a new version: $Latest and $Default move, a number does not. */
  Optional<Duration> recheck(ServerFleet fleet) {
    LaunchTemplateRef ref = fleet.getSpec().getTemplate().getLaunchTemplate();
    if (ref == null) {
      return Optional.empty();
    }
    String version =
        Optional.ofNullable(ref.getVersion()).orElse(LaunchTemplateRef.DEFAULT_VERSION);
    return version.startsWith("$") ? Optional.of(resolver.refresh()) : Optional.empty();
  }

  /** status.launchTemplate: the version the current revision launches from. */
  static LaunchTemplateStatus status(LaunchSettings settings) {
    LaunchTemplateVersion v = settings.launchTemplate();
    return v == null ? null : new LaunchTemplateStatus(v.id(), v.name(), v.version());
  }
}
