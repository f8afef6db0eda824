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
}
