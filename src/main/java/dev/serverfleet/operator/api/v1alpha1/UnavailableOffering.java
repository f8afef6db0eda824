package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** An offering of the fleet's that launches avoid now. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UnavailableOffering(
    @JsonPropertyDescription("EC2 instance type.") String instanceType,
    @JsonPropertyDescription("Availability Zone.") String zone,
    @JsonPropertyDescription("on-demand or spot.") String capacityType,
    @JsonPropertyDescription(
            "Why: EC2's error code for the last launch (InsufficientInstanceCapacity,"
                + " Unsupported, ...), or NotOffered when the zone does not offer the type.")
        String reason,
    @JsonPropertyDescription(
            "Until when launches avoid it (RFC 3339); absent for a type the zone does not offer.")
        String until) {}
