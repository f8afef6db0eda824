package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What the operator waits for around an instance's life: a gate after launch, a drain before
 * termination.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Lifecycle {
  @JsonPropertyDescription(
      "A hook run before every termination the operator makes (scale-in, rollout, health "
          + "replacement, subnet drain, fleet deletion); the instance is terminated only after it "
          + "finished. While it runs the instance counts as unavailable.")
  private PreTerminateHook preTerminate;

  @JsonPropertyDescription(
      "When a running instance counts as ready: only once it passes this gate. minReadySeconds"
          + " counts from then.")
  private ReadinessGate readinessGate;

  public ReadinessGate getReadinessGate() {
    return readinessGate;
  }

  public void setReadinessGate(ReadinessGate readinessGate) {
    this.readinessGate = readinessGate;
  }

  public PreTerminateHook getPreTerminate() {
    return preTerminate;
  }

  public void setPreTerminate(PreTerminateHook preTerminate) {
    this.preTerminate = preTerminate;
  }
}
