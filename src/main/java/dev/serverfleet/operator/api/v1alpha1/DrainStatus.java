package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One instance being drained before its termination, as status keeps it across restarts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrainStatus(
    @JsonPropertyDescription("EC2 instance ID.") String instanceId,
    @JsonPropertyDescription(
            "Why it is terminated: ScaleIn, Rollout, Unhealthy, Stopped or FleetDeleted.")
        String reason,
    @JsonPropertyDescription(
            "webhook or ssmCommand (the preTerminate hook), or deregister (out of"
                + " loadBalancer's target groups; after the hook, if any).")
        String action,
    @JsonPropertyDescription(
            "Running, Succeeded, Failed, TimedOut (then terminated), or Abandoned (kept: a person"
                + " decides).")
        String phase,
    @JsonPropertyDescription("When the drain started (RFC 3339).") String startedAt,
    @JsonPropertyDescription("Calls made: webhook requests sent, or SSM commands sent.")
        Integer attempts,
    @JsonPropertyDescription("The SSM command ID being followed.") String commandId,
    @JsonPropertyDescription("When the action ended (RFC 3339).") String finishedAt,
    @JsonPropertyDescription("What the action answered.") String message,
    @JsonPropertyDescription(
            "deregister: when the deregistration delay (capped) is over and the instance is"
                + " terminated (RFC 3339).")
        String waitUntil) {}
