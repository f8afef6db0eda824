package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Where a rolling update stops on its way: when a share of the fleet runs the new revision and is
 * available, the rollout waits (bake time) before it goes on, like an Auto Scaling instance
 * refresh's checkpoints.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Checkpoints {
  @Required
  @Size(min = 1, max = 10)
  @ValidationRule(
      value = "self.all(p, p >= 1 && p <= 99)",
      message = "checkpoints.percentages must each be between 1 and 99")
  @ValidationRule(
      value = "self.size() < 2 || self.all(p, self.filter(q, q == p).size() == 1)",
      message = "checkpoints.percentages must not repeat a percentage")
  @ValidationRule(
      value = "self.isSorted()",
      message = "checkpoints.percentages must be in increasing order, such as [10, 50]")
  @JsonPropertyDescription(
      "Shares of replicas, in increasing order from 1 to 99, at which the rollout holds: it "
          + "stops when that share (rounded up, at least one instance) runs the new revision and is "
          + "available. Example: [10, 50].")
  private List<Integer> percentages;

  @Min(0)
  @Max(86400)
  @JsonPropertyDescription(
      "Seconds to hold at each checkpoint before going on (bake time). When omitted, the "
          + "operator sets spec.paused at each checkpoint and the rollout goes on once paused is "
          + "cleared (kubectl sf rollout resume).")
  private Integer pauseSeconds;

  public List<Integer> getPercentages() {
    return percentages;
  }

  public void setPercentages(List<Integer> percentages) {
    this.percentages = percentages;
  }

  public Integer getPauseSeconds() {
    return pauseSeconds;
  }

  public void setPauseSeconds(Integer pauseSeconds) {
    this.pauseSeconds = pauseSeconds;
  }
}
