package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Placement of the instances: a placement group and the tenancy. The zone comes from subnets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.partitionNumber) || has(self.groupName)",
    message = "placement.partitionNumber needs placement.groupName (a partition placement group)")
public class Placement {
  @Size(max = 255)
  @JsonPropertyDescription(
      "Name of a placement group (cluster, partition or spread) to launch into.")
  private String groupName;

  @JsonPropertyDescription(
      "default (shared hardware, the default), dedicated (hardware of the account's own) or host "
          + "(a Dedicated Host with auto-placement).")
  private Tenancy tenancy;

  @Min(1)
  @Max(7)
  @JsonPropertyDescription(
      "Partition of a partition placement group, 1 to 7; omitted: EC2 spreads the instances.")
  private Integer partitionNumber;

  public String getGroupName() {
    return groupName;
  }

  public void setGroupName(String groupName) {
    this.groupName = groupName;
  }

  public Tenancy getTenancy() {
    return tenancy;
  }

  public void setTenancy(Tenancy tenancy) {
    this.tenancy = tenancy;
  }

  public Integer getPartitionNumber() {
    return partitionNumber;
  }

  public void setPartitionNumber(Integer partitionNumber) {
    this.partitionNumber = partitionNumber;
  }
}
