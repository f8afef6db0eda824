package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the operator runs around an instance's life: today, a drain before it is terminated. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Lifecycle {
  @JsonPropertyDescription(
      "A hook run before every termination the operator makes (scale-in, rollout, health "
          + "replacement, subnet drain, fleet deletion); the instance is terminated only after it "
          + "finished. While it runs the instance counts as unavailable.")
  private PreTerminateHook preTerminate;

  public PreTerminateHook getPreTerminate() {
    return preTerminate;
  }

  public void setPreTerminate(PreTerminateHook preTerminate) {
    this.preTerminate = preTerminate;
  }
}
