package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The instance maintenance policy, as Auto Scaling groups define it: how far capacity may dip and
 * surge while instances AWS will take are replaced. Defaults (applied in code): 100 and 200.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.maxHealthyPercentage) ? self.maxHealthyPercentage : 200)"
            + " - (has(self.minHealthyPercentage) ? self.minHealthyPercentage : 100) <= 100",
    message =
        "maintenance.maxHealthyPercentage (200 when omitted) may exceed"
            + " maintenance.minHealthyPercentage (100 when omitted) by at most 100, as for an Auto"
            + " Scaling group",
    fieldPath = ".maxHealthyPercentage")
@ValidationRule(
    value =
        "!((has(self.minHealthyPercentage) ? self.minHealthyPercentage : 100) == 100"
            + " && (has(self.maxHealthyPercentage) ? self.maxHealthyPercentage : 200) == 100)",
    message =
        "maintenance.minHealthyPercentage and maxHealthyPercentage must not both be 100: a doomed"
            + " instance could neither be replaced first nor go first",
    fieldPath = ".maxHealthyPercentage")
public class MaintenancePolicy {
  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "Available instances, as a percentage of replicas (rounded up), the fleet keeps while it"
          + " replaces instances AWS will take (spot interruption, scheduled retirement or"
          + " maintenance, rebalance recommendation with capacityRebalance): a doomed instance is"
          + " terminated only while this many stay available without it. 0 to 100; default 100"
          + " (launch before terminate).")
  private Integer minHealthyPercentage;

  @Min(100)
  @Max(200)
  @JsonPropertyDescription(
      "Live and launching instances, doomed ones included, as a percentage of replicas (rounded"
          + " down, at least replicas + 1 above 100), the fleet may have while it replaces them:"
          + " the surge above replicas replacements may take. 100 to 200, at most 100 above"
          + " minHealthyPercentage; default 200 (every doomed instance replaced at once: a spot"
          + " warning leaves two minutes).")
  private Integer maxHealthyPercentage;

  public Integer getMinHealthyPercentage() {
    return minHealthyPercentage;
  }

  public void setMinHealthyPercentage(Integer minHealthyPercentage) {
    this.minHealthyPercentage = minHealthyPercentage;
  }

  public Integer getMaxHealthyPercentage() {
    return maxHealthyPercentage;
  }

  public void setMaxHealthyPercentage(Integer maxHealthyPercentage) {
    this.maxHealthyPercentage = maxHealthyPercentage;
  }
}
