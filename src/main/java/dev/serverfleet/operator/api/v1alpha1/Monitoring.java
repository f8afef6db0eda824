package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** CloudWatch monitoring of the instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Monitoring {
  @JsonPropertyDescription(
      "Detailed monitoring: metrics every minute instead of every 5 minutes, billed by "
          + "CloudWatch. false when omitted.")
  private Boolean detailed;

  public Boolean getDetailed() {
    return detailed;
  }

  public void setDetailed(Boolean detailed) {
    this.detailed = detailed;
  }
}
