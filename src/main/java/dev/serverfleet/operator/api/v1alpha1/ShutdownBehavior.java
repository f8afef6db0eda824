package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an instance does when its own OS shuts it down. {@code stop} is listed so that the API
 * server refuses it with the fleet's reason (a CEL rule) rather than a bare "unsupported value".
 */
public enum ShutdownBehavior {
  @JsonProperty("terminate")
  TERMINATE,
  @JsonProperty("stop")
  STOP
}
