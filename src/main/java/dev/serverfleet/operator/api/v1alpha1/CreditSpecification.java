package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** CPU credits of burstable instances, shaped as in EC2 launch templates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CreditSpecification {
  @Required
  @JsonPropertyDescription(
      "standard (throttled to the baseline when credits run out) or unlimited (bursts on, billed "
          + "for surplus credits). T family instance types only.")
  private CpuCredits cpuCredits;

  public CpuCredits getCpuCredits() {
    return cpuCredits;
  }

  public void setCpuCredits(CpuCredits cpuCredits) {
    this.cpuCredits = cpuCredits;
  }
}
