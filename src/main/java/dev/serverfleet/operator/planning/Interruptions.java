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
 */
public record Interruptions(Map<String, Interruption> doomed, Maintenance maintenance) {
  public static final Interruptions NONE = new Interruptions(Map.of(), Maintenance.DEFAULT);

  public Interruptions {
    doomed = Map.copyOf(doomed);
    Objects.requireNonNull(maintenance, "maintenance");
  }
}
