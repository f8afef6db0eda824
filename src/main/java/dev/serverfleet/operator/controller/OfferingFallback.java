package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.fleet.Offering;
import dev.serverfleet.operator.planning.InstanceTypeChoice;
import dev.serverfleet.operator.planning.Launch;
import java.time.Instant;
import java.util.Optional;

/**
 * What a launch refused for lack of capacity does to the next one: a shortage of one offering in a
 * subnet whose zone is known marks the offering unavailable for every fleet for the TTL ({@link
 * UnavailableOfferings}), and the next launch in the subnet takes the next available type; once
 * none is left, the planner avoids the subnet ({@link InstanceTypeChoice#exhausted}). Counted
 * ({@code serverfleet_launch_fallbacks_total}) and announced (a {@code LaunchFallback} event).
 */
final class OfferingFallback {
  private final UnavailableOfferings offerings;
  private final FleetEvents events;
  private final FleetMetrics metrics;

  OfferingFallback(UnavailableOfferings offerings, FleetEvents events, FleetMetrics metrics) {
    this.offerings = offerings;
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * @param launch the refused launch: its subnet, and its market (spot or on-demand; null: the
   *     fleet's), which names the offering marked unavailable
   * @param type the instance type the refused launch asked for
   * @param types the pass's choice before the refusal
   * @return the pass's choice without the refused offering; empty when the shortage is the
   *     subnet's, not the offering's (or the subnet's zone is unknown): the caller then avoids the
   *     subnet as before
   */
  Optional<InstanceTypeChoice> fallBack(
      ServerFleet fleet,
      Launch launch,
      String type,
      InstanceTypeChoice types,
      CloudException e,
      Instant now) {
    String subnetId = launch.subnetId();
    String zone = types.zoneBySubnet().get(subnetId);
    if (!e.offeringUnavailable() || zone == null) {
      return Optional.empty();
    }
    String market = launch.capacityType() == null ? types.capacityType() : launch.capacityType();
    Offering offering = new Offering(market, type, zone);
    UnavailableOfferings.Entry entry = offerings.mark(offering, e.code(), now);
    InstanceTypeChoice left = types.without(offering);
    metrics.fallback(fleet, codeFamily(e.code()));
    String next =
        left.available(subnetId)
            .map(t -> "the next launch in " + subnetId + " uses " + t)
            .orElse(
                "no listed type is available in "
                    + zone
                    + ", so launches go to the fleet's other subnets first");
    events.warning(
        fleet,
        "LaunchFallback",
        "No capacity for "
            + offering
            + " ("
            + e.code()
            + "): avoided by every fleet until "
            + entry.until()
            + "; "
            + next);
    return Optional.of(left);
  }

  /** {@code Unsupported.Foo} counts as {@code Unsupported}: a bounded label set for the metric. */
  private static String codeFamily(String code) {
    int dot = code.indexOf('.');
    return dot < 0 ? code : code.substring(0, dot);
  }
}
