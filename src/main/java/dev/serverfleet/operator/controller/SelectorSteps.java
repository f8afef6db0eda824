package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ResolvedSubnet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.selection.LaunchResolver;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a pass of {@link FleetLoop} does with the selectors' answers ({@link LaunchResolver}):
 * writes them into status, or, when a selector resolves to nothing, holds the fleet. A held fleet
 * launches nothing and terminates nothing (a subnet selection that came back empty must not read as
 * "every subnet removed", nor a missing image as a reason to stop); it says why in Degraded
 * (SelectorFailed) with one Warning event, and looks again when the failed lookup may be retried.
 */
final class SelectorSteps {
  static final String REASON = "SelectorFailed";

  private SelectorSteps() {}

  /** status.resolvedAmiId (always), status.subnets and, when selected, status.securityGroupIds. */
  static void stamp(ServerFleetStatus status, LaunchResolver.Resolved resolved) {
    status.setResolvedAmiId(resolved.amiId());
    status.setSubnets(
        resolved.subnets().stream().map(s -> new ResolvedSubnet(s.id(), s.zone())).toList());
    status.setSecurityGroupIds(resolved.groupsSelected() ? resolved.securityGroupIds() : null);
  }

  /**
   * A fleet that selects anything looks again every refresh period: a newly published image or a
   * subnet tagged is no event of the fleet's.
   */
  static Optional<Duration> nextPass(
      Optional<Duration> next, ServerFleet fleet, LaunchResolver resolver) {
    return LaunchResolver.selects(fleet.getSpec().getTemplate())
        ? WakeUps.earliest(next, Optional.of(resolver.refreshPeriod()))
        : next;
  }

  /** The fleet held Degraded, its instances and the rest of its status as they were. */
  static FleetLoop.Result hold(
      ServerFleet fleet,
      LaunchResolver.Resolution failed,
      LaunchResolver resolver,
      FleetLoop.StatusWriter writer,
      FleetEvents events,
      Instant now) {
    String why = failed.failure().orElseThrow();
    ServerFleetStatus status =
        FleetConditions.withDegraded(
            fleet,
            REASON,
            why,
            fleet.getStatus() == null ? null : fleet.getStatus().getRollout(),
            now);
    // this generation was seen, and held: GitOps health reads Degraded, not "not observed yet"
    status.setObservedGeneration(fleet.getMetadata().getGeneration());
    if (!status.equals(fleet.getStatus())) {
      if (!alreadySaid(fleet, why)) {
        events.warning(fleet, REASON, why);
      }
      writer.write(fleet, status);
    }
    return new FleetLoop.Result(Optional.of(resolver.retryAfterFailure()));
  }

  private static boolean alreadySaid(ServerFleet fleet, String why) {
    return fleet.getStatus() != null
        && fleet.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.DEGRADED.equals(c.getType())
                        && "True".equals(c.getStatus())
                        && REASON.equals(c.getReason())
                        && why.equals(c.getMessage()));
  }
}
