package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Whether instances are launched able to hibernate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Hibernation {
  @JsonPropertyDescription(
      "Launch instances with hibernation enabled (false when omitted). EC2 requires an encrypted "
          + "root volume large enough for the RAM and a type that supports it. A hibernated "
          + "instance is stopped, and the fleet replaces stopped instances.")
  private Boolean configured;

  public Boolean getConfigured() {
    return configured;
  }

  public void setConfigured(Boolean configured) {
    this.configured = configured;
  }
}
