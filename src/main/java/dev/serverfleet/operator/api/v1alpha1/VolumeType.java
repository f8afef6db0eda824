package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** EBS volume types, as EC2 names them. */
public enum VolumeType {
  @JsonProperty("gp2")
  GP2,
  @JsonProperty("gp3")
  GP3,
  @JsonProperty("io1")
  IO1,
  @JsonProperty("io2")
  IO2,
  @JsonProperty("st1")
  ST1,
  @JsonProperty("sc1")
  SC1,
  @JsonProperty("standard")
  STANDARD
}
