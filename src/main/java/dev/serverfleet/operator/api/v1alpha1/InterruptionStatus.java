package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** AWS's notice that it will take an instance: the fleet replaces it, then lets it go. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterruptionStatus(
    @JsonPropertyDescription(
            "SpotInterruption, ScheduledChange (AWS Health: retirement, maintenance) or"
                + " RebalanceRecommendation.")
        String kind,
    @JsonPropertyDescription(
            "When AWS acts (RFC 3339): two minutes after a spot warning, a scheduled change's"
                + " start; absent for a rebalance recommendation.")
        String deadline,
    @JsonPropertyDescription(
            "What the event said: the spot action, or the AWS Health event type code.")
        String detail) {}
