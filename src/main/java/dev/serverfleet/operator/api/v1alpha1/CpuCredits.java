package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CPU credit option of burstable (T family) instances. */
public enum CpuCredits {
  @JsonProperty("standard")
  STANDARD,
  @JsonProperty("unlimited")
  UNLIMITED
}
