package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where an instance runs: shared hardware, hardware of its own, or a Dedicated Host. */
public enum Tenancy {
  @JsonProperty("default")
  DEFAULT,
  @JsonProperty("dedicated")
  DEDICATED,
  @JsonProperty("host")
  HOST
}
