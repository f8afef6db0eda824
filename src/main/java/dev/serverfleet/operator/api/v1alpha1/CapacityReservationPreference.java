package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether instances may run in any open capacity reservation that matches them. */
public enum CapacityReservationPreference {
  @JsonProperty("open")
  OPEN,
  @JsonProperty("none")
  NONE
}
