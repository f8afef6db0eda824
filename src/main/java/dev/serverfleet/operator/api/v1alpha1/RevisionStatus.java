package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How many live instances run one template revision. */
public record RevisionStatus(
    @JsonPropertyDescription("Template revision hash.") String revision,
    @JsonPropertyDescription("Live instances on it.") Integer replicas) {}
