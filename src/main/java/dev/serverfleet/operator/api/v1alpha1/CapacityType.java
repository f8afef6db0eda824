package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How instances are bought. */
public enum CapacityType {
  @JsonProperty("on-demand")
  ON_DEMAND,
  @JsonProperty("spot")
  SPOT
}
