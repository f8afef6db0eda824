package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a fleet buys its instances, as an Auto Scaling group's mixed instances policy distributes
 * them: a base of on-demand instances, then a percentage of the rest on-demand, the others spot.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.type == 'spot' || !(has(self.onDemandBase) || has(self.onDemandPercentageAboveBase)"
            + " || has(self.spotFallbackToOnDemand))",
    message =
        "capacity.onDemandBase, capacity.onDemandPercentageAboveBase and"
            + " capacity.spotFallbackToOnDemand apply only to capacity.type spot (with type"
            + " on-demand every instance is on-demand)")
public class Capacity {
  /** ASG's bound on OnDemandBaseCapacity is the group's max size; this is the fleet's. */
  public static final int MAX_ON_DEMAND_BASE = 10000;

  @Required
  @JsonPropertyDescription(
      "on-demand or spot. capacityType: x is shorthand for capacity: {type: x} and launches the"
          + " same revision.")
  private CapacityType type;

  @Min(0)
  @Max(MAX_ON_DEMAND_BASE)
  @JsonPropertyDescription(
      "With type spot: how many instances are on-demand before any is spot (ASG's"
          + " OnDemandBaseCapacity); default 0.")
  private Integer onDemandBase;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "With type spot: the percentage of instances above onDemandBase that are on-demand, the"
          + " on-demand count rounded up as Auto Scaling groups do"
          + " (OnDemandPercentageAboveBaseCapacity); default 0: all spot above the base.")
  private Integer onDemandPercentageAboveBase;

  @JsonPropertyDescription(
      "With type spot: when EC2 has no spot capacity for any listed instance type in a zone"
          + " (InsufficientInstanceCapacity and the like), launch on-demand there instead of"
          + " waiting; once the spot offering's unavailability expires, such fallback on-demand"
          + " instances are replaced by spot, launch first. Default false.")
  private Boolean spotFallbackToOnDemand;

  public CapacityType getType() {
    return type;
  }

  public void setType(CapacityType type) {
    this.type = type;
  }

  public Integer getOnDemandBase() {
    return onDemandBase;
  }

  public void setOnDemandBase(Integer onDemandBase) {
    this.onDemandBase = onDemandBase;
  }

  public Integer getOnDemandPercentageAboveBase() {
    return onDemandPercentageAboveBase;
  }

  public void setOnDemandPercentageAboveBase(Integer onDemandPercentageAboveBase) {
    this.onDemandPercentageAboveBase = onDemandPercentageAboveBase;
  }

  public Boolean getSpotFallbackToOnDemand() {
    return spotFallbackToOnDemand;
  }

  public void setSpotFallbackToOnDemand(Boolean spotFallbackToOnDemand) {
    this.spotFallbackToOnDemand = spotFallbackToOnDemand;
  }
}
