package dev.serverfleet.operator.fleet;

import java.util.Objects;

/**
 * What EC2 sells in one place: a capacity type (on-demand or spot) of one instance type in one
 * Availability Zone. Capacity runs out, and types are missing from zones, offering by offering.
 */
public record Offering(String capacityType, String instanceType, String zone) {
  public static final String ON_DEMAND = "on-demand";
  public static final String SPOT = "spot";

  public Offering {
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(zone, "zone");
  }

  public static String capacityType(boolean spot) {
    return spot ? SPOT : ON_DEMAND;
  }

  @Override
  public String toString() {
    return instanceType + " (" + capacityType + ") in " + zone;
  }
}
