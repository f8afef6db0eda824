package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How instance health is judged and how many unhealthy instances are replaced at once. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheck {
  @JsonPropertyDescription(
      "EC2 (running is ready, the default), EC2StatusChecks (running and both EC2 status "
          + "checks pass) or ELB (running and healthy in every target group of loadBalancer).")
  private HealthCheckType type;

  @Min(0)
  @Max(7200)
  @JsonPropertyDescription(
      "Seconds after launch before failed status checks (or ELB health checks) count as"
          + " unhealthy. Default 300.")
  private Integer gracePeriodSeconds;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Most instances, as a percentage of replicas (at least one), replaced for health at "
          + "once; more unhealthy than that marks the fleet Degraded instead of replacing them all. Default 20.")
  private Integer maxUnhealthyPercent;

  public HealthCheckType getType() {
    return type;
  }

  public void setType(HealthCheckType type) {
    this.type = type;
  }

  public Integer getGracePeriodSeconds() {
    return gracePeriodSeconds;
  }

  public void setGracePeriodSeconds(Integer gracePeriodSeconds) {
    this.gracePeriodSeconds = gracePeriodSeconds;
  }

  public Integer getMaxUnhealthyPercent() {
    return maxUnhealthyPercent;
  }

  public void setMaxUnhealthyPercent(Integer maxUnhealthyPercent) {
    this.maxUnhealthyPercent = maxUnhealthyPercent;
  }
}
