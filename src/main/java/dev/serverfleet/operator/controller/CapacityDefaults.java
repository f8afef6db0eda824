package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.Capacity;
import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.planning.CapacityMix;
import java.util.Optional;

/** The defaults of template.capacity and its shorthand template.capacityType. */
final class CapacityDefaults {
  private CapacityDefaults() {}

  /**
   * The fleet's capacity type: capacityType is shorthand for capacity.type (the CRD allows one of
   * them), on-demand when neither is set. Only the type is part of the revision, so capacityType:
   * spot and capacity: {type: spot} launch the same revision; the mix is placement, like subnets.
   */
  static CapacityType capacityType(FleetTemplate t) {
    if (t.getCapacity() != null && t.getCapacity().getType() != null) {
      return t.getCapacity().getType();
    }
    return t.getCapacityType() == null ? CapacityType.ON_DEMAND : t.getCapacityType();
  }

  /** The on-demand/spot mix of the fleet's instances, with capacity's defaults applied. */
  static CapacityMix capacityMix(FleetTemplate t) {
    if (capacityType(t) != CapacityType.SPOT) {
      return CapacityMix.ON_DEMAND;
    }
    Capacity c = Optional.ofNullable(t.getCapacity()).orElseGet(Capacity::new);
    return new CapacityMix(
        Optional.ofNullable(c.getOnDemandBase()).orElse(0),
        Optional.ofNullable(c.getOnDemandPercentageAboveBase()).orElse(0),
        Boolean.TRUE.equals(c.getSpotFallbackToOnDemand()));
  }
}
