package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** Bounds of a rolling update, as integers or percentages of replicas. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(has(self.maxSurge) && has(self.maxUnavailable) "
            + "&& string(self.maxSurge) in ['0', '0%'] && string(self.maxUnavailable) in ['0', '0%'])",
    message =
        "maxSurge and maxUnavailable must not both be 0: the rollout could never make progress")
public class RollingUpdate {
  @ValidationRule(
      value = "type(self) == int ? self >= 0 : self.matches('^[0-9]+%$')",
      message = "maxSurge must be a non-negative integer or a percentage such as 25%")
  @JsonPropertyDescription(
      "How many instances may be launched above replicas during a rollout: a number or a "
          + "percentage of replicas (rounded up). Default 25%.")
  private IntOrString maxSurge;

  @ValidationRule(
      value = "type(self) == int ? self >= 0 : self.matches('^[0-9]+%$')",
      message = "maxUnavailable must be a non-negative integer or a percentage such as 25%")
  @ValidationRule(
      value =
          "type(self) == int || !self.matches('^[0-9]+%$') || self.matches('^0*([0-9]{1,2}|100)%$')",
      messageExpression =
          "'maxUnavailable must be at most 100% (more than every instance cannot be unavailable), "
              + "not ' + string(self)")
  @JsonPropertyDescription(
      "How many of replicas may be unavailable during a rollout: a number or a percentage "
          + "of replicas up to 100% (rounded down). Default 0: capacity never drops.")
  private IntOrString maxUnavailable;

  @JsonPropertyDescription(
      "Where the rollout holds on its way (bake time), e.g. {percentages: [10, 50], pauseSeconds: "
          + "300}. None when omitted.")
  private Checkpoints checkpoints;

  public IntOrString getMaxSurge() {
    return maxSurge;
  }

  public void setMaxSurge(IntOrString maxSurge) {
    this.maxSurge = maxSurge;
  }

  public IntOrString getMaxUnavailable() {
    return maxUnavailable;
  }

  public void setMaxUnavailable(IntOrString maxUnavailable) {
    this.maxUnavailable = maxUnavailable;
  }

  public Checkpoints getCheckpoints() {
    return checkpoints;
  }

  public void setCheckpoints(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }
}
