package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Target groups (ALB or NLB, target type instance) the fleet's instances are registered in once
 * running, and deregistered from, with the deregistration delay waited out, before any termination.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoadBalancer {
  /** An ELBv2 target group ARN, in any partition. */
  public static final String ARN_PATTERN =
      "^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$";

  @Required
  @Size(min = 1, max = 5)
  @ValidationRule(
      value = "self.all(a, self.exists_one(b, b == a))",
      message = "loadBalancer.targetGroupArns must not repeat a target group")
  @JsonPropertyDescription(
      "ARNs of the target groups (1 to 5, target type instance) every running instance is"
          + " registered in. Before any termination the instance is deregistered from all of them"
          + " and the target groups' deregistration delay is waited out.")
  private List<@Size(max = 200) @Pattern(ARN_PATTERN) String> targetGroupArns;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "Port the instances receive traffic on. Default: each target group's own port.")
  private Integer port;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription(
      "Most seconds to wait after deregistering an instance before terminating it. The wait is"
          + " the longest deregistration_delay.timeout_seconds of the target groups, capped by"
          + " this. Default: no cap (the target groups' delay, at most 3600).")
  private Integer deregistrationDelayCapSeconds;

  public List<String> getTargetGroupArns() {
    return targetGroupArns;
  }

  public void setTargetGroupArns(List<String> targetGroupArns) {
    this.targetGroupArns = targetGroupArns;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getDeregistrationDelayCapSeconds() {
    return deregistrationDelayCapSeconds;
  }

  public void setDeregistrationDelayCapSeconds(Integer deregistrationDelayCapSeconds) {
    this.deregistrationDelayCapSeconds = deregistrationDelayCapSeconds;
  }
}
