package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Offering;
import dev.serverfleet.operator.planning.CapacityMix;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Optional;

/**
 * The count of fallback on-demand instances (on-demand beyond the mix's share of a fleet that uses
 * spot: launched on-demand for want of spot) added to the Ready and Progressing messages.
 */
final class FallbackNote {
  private FallbackNote() {}

  static Condition noted(Condition c, ServerFleet fleet, ServerFleetStatus status) {
    int n = count(fleet, status);
    if (n > 0) {
      c.setMessage(
          c.getMessage()
              + "; "
              + n
              + " fallback on-demand (no spot capacity), to be replaced by spot when it returns");
    }
    return c;
  }

  static int count(ServerFleet fleet, ServerFleetStatus status) {
    CapacityMix mix = CapacityDefaults.capacityMix(fleet.getSpec().getTemplate());
    if (!mix.usesSpot()) {
      return 0;
    }
    List<InstanceStatus> instances = Optional.ofNullable(status.getInstances()).orElse(List.of());
    long onDemand =
        instances.stream().filter(i -> Offering.ON_DEMAND.equals(i.capacityType())).count();
    return (int) Math.max(0, onDemand - mix.onDemand(instances.size()));
  }
}
