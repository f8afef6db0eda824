package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether the instance metadata service requires session tokens (IMDSv2). */
public enum HttpTokens {
  @JsonProperty("required")
  REQUIRED,
  @JsonProperty("optional")
  OPTIONAL
}
