package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.List;

/**
 * What one fleet's reconcile knows of EC2.
 *
 * @param swept the fleet's instances as the last sweep of EC2 returned them, with the terminations
 *     this operator made since shown as shutting-down: the planner decides on these alone
 * @param launched instances RunInstances returned that no sweep has shown yet: reported in status,
 *     but counted by the planner only through the launch ledger, so that an instance EC2 has not
 *     shown yet is never taken for one it has
 */
public record Observation(List<Instance> swept, List<Instance> launched) {
  public static final Observation NONE = new Observation(List.of(), List.of());

  public Observation {
    swept = List.copyOf(swept);
    launched = List.copyOf(launched);
  }

  /** Everything known, for status and deletion. */
  public List<Instance> all() {
    List<Instance> all = new ArrayList<>(swept);
    all.addAll(launched);
    return all;
  }
}
