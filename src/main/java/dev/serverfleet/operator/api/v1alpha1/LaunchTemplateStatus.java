package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The launch template version the fleet's current revision launches from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LaunchTemplateStatus(
    @JsonPropertyDescription("ID of the launch template.") String id,
    @JsonPropertyDescription("Name of the launch template.") String name,
    @JsonPropertyDescription(
            "The version number spec.template.launchTemplate.version resolved to: the version"
                + " instances of the current revision are launched with.")
        Long version) {}
