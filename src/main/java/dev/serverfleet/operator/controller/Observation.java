package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Interruption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one fleet's reconcile knows of EC2.
 *
 * @param swept the fleet's instances as the last sweep of EC2 returned them, with the terminations
 *     this operator made since shown as shutting-down: the planner decides on these alone
 * @param launched instances RunInstances returned that no sweep has shown yet: reported in status,
 *     but counted by the planner only through the launch ledger, so that an instance EC2 has not
 *     shown yet is never taken for one it has
 * @param notices AWS's interruption notices for the fleet's instances, received from the
 *     interruption queue and not yet recorded in status ({@link InterruptionNotices})
 */
public record Observation(
    List<Instance> swept, List<Instance> launched, Map<String, Interruption> notices) {
  public static final Observation NONE = new Observation(List.of(), List.of());

  public Observation(List<Instance> swept, List<Instance> launched) {
    this(swept, launched, Map.of());
  }

  public Observation {
    swept = List.copyOf(swept);
    launched = List.copyOf(launched);
    notices = Map.copyOf(notices);
  }

  /** The same observation with these notices. */
  public Observation withNotices(Map<String, Interruption> received) {
    return new Observation(swept, launched, received);
  }

  /** Everything known, for status and deletion. */
  public List<Instance> all() {
    List<Instance> all = new ArrayList<>(swept);
    all.addAll(launched);
    return all;
  }
}
