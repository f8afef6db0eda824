package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One capacity reservation, by id, or a resource group of them, by ARN. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.id) != has(self.resourceGroupArn)",
    message = "capacityReservation.target needs exactly one of id or resourceGroupArn")
public class CapacityReservationTarget {
  @Size(max = 20)
  @Pattern("^cr-([0-9a-f]{8}|[0-9a-f]{17})$")
  @JsonPropertyDescription("Capacity reservation ID, e.g. cr-0123456789abcdef0.")
  private String id;

  @Size(max = 2048)
  @Pattern("^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:[0-9]{12}:group/.+$")
  @JsonPropertyDescription("ARN of a resource group of capacity reservations.")
  private String resourceGroupArn;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getResourceGroupArn() {
    return resourceGroupArn;
  }

  public void setResourceGroupArn(String resourceGroupArn) {
    this.resourceGroupArn = resourceGroupArn;
  }
}
