package dev.serverfleet.operator.planning;

import java.time.Instant;

/**
 * A launch the operator decided on and recorded before calling EC2 (see
 * {@link dev.serverfleet.operator.api.v1alpha1.LaunchIntent}, its status form).
 */
public record Intent(String token, String subnetId, int count, String revision, Instant createdAt) {}
