package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A subnet the fleet launches into, as spec.template named or selected it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResolvedSubnet(
    @JsonPropertyDescription("Subnet ID.") String id,
    @JsonPropertyDescription("Its Availability Zone; absent for a subnet listed in subnetIds.")
        String zone) {}
