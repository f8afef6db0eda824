package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Interruption;
import java.util.Map;
import java.util.Objects;

/**
 * What the planner knows of AWS's notices: which instances are doomed, and the maintenance policy
 * that bounds their replacement.
 *
 * @param doomed instance id to its notice; an id the fleet does not own (or no longer has) is
 *     ignored
 * @param healthLaunchFirst the spec names a maintenance policy: as with an Auto Scaling group's, it
 *     then applies to health replacements too, so an impaired instance that still runs is kept
 *     until its replacement is available (within the policy's bounds) instead of being terminated
 *     first
 */
public record Interruptions(
    Map<String, Interruption> doomed, Maintenance maintenance, boolean healthLaunchFirst) {
  public static final Interruptions NONE = new Interruptions(Map.of(), Maintenance.DEFAULT);

  /** Without launch-first health replacement (no maintenance policy in the spec). */
  public Interruptions(Map<String, Interruption> doomed, Maintenance maintenance) {
    this(doomed, maintenance, false);
  }

  public Interruptions {
    doomed = Map.copyOf(doomed);
    Objects.requireNonNull(maintenance, "maintenance");
  }
}
