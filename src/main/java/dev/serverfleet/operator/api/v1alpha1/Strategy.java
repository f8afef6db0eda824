package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** How template changes roll out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.rollingUpdate) || !has(self.type) || self.type == 'RollingUpdate'",
    message = "rollingUpdate may only be set when type is RollingUpdate")
public class Strategy {
  @JsonPropertyDescription("RollingUpdate (the default) or Recreate.")
  private StrategyType type;

  @JsonPropertyDescription("Bounds of a RollingUpdate.")
  private RollingUpdate rollingUpdate;

  @JsonPropertyDescription(
      "True rolls back to the last revision that completed when the rollout passes "
          + "progressDeadlineSeconds or more than healthCheck.maxUnhealthyPercent of the new "
          + "revision's instances fail health. The rollback writes that revision's template into "
          + "spec.template, with an event and Degraded=True (reason AutoRolledBack). Default false.")
  private Boolean autoRollback;

  public StrategyType getType() {
    return type;
  }

  public void setType(StrategyType type) {
    this.type = type;
  }

  public RollingUpdate getRollingUpdate() {
    return rollingUpdate;
  }

  public void setRollingUpdate(RollingUpdate rollingUpdate) {
    this.rollingUpdate = rollingUpdate;
  }

  public Boolean getAutoRollback() {
    return autoRollback;
  }

  public void setAutoRollback(Boolean autoRollback) {
    this.autoRollback = autoRollback;
  }
}
