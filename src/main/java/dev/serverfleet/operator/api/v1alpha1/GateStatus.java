package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One instance's SSM or webhook readiness gate, as status keeps it across restarts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GateStatus(
    @JsonPropertyDescription("EC2 instance ID.") String instanceId,
    @JsonPropertyDescription(
            "Pending (being asked), Passed (ready from then on) or Failed (every attempt failed:"
                + " replaced after healthCheck.gracePeriodSeconds).")
        String phase,
    @JsonPropertyDescription("The SSM command ID being followed.") String commandId,
    @JsonPropertyDescription("When the current attempt was sent (RFC 3339).") String sentAt,
    @JsonPropertyDescription("Calls made: SSM commands sent, or webhook requests sent.")
        Integer attempts,
    @JsonPropertyDescription("When the gate passed (RFC 3339).") String passedAt,
    @JsonPropertyDescription("What the last attempt answered.") String message) {}
