package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Which On-Demand Capacity Reservations the instances may use: a preference or a target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.preference) != has(self.target)",
    message = "capacityReservation needs exactly one of preference or target")
public class CapacityReservation {
  @JsonPropertyDescription(
      "open (any open reservation with matching attributes, EC2's default) or none (never a "
          + "reservation).")
  private CapacityReservationPreference preference;

  @JsonPropertyDescription("A reservation, or a resource group of reservations, to launch into.")
  private CapacityReservationTarget target;

  public CapacityReservationPreference getPreference() {
    return preference;
  }

  public void setPreference(CapacityReservationPreference preference) {
    this.preference = preference;
  }

  public CapacityReservationTarget getTarget() {
    return target;
  }

  public void setTarget(CapacityReservationTarget target) {
    this.target = target;
  }
}
