package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;

/** Where the loop tells its story: Kubernetes Events in production, a list in tests. */
public interface FleetEvents {
  void normal(ServerFleet fleet, String reason, String message);

  void warning(ServerFleet fleet, String reason, String message);
}
