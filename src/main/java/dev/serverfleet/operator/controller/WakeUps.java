package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.planning.InstanceChecks;
import dev.serverfleet.operator.planning.PlanInput;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The moments at which the mere passing of time changes what the fleet should do or report, so that
 * the reconciler wakes up for them instead of waiting for an unrelated event: an instance becoming
 * available after minReadySeconds, a health grace period ending, a progress deadline.
 */
final class WakeUps {
  private WakeUps() {}

  static List<Instant> moments(
      ServerFleet fleet,
      PlanInput in,
      InstanceChecks view,
      List<Instance> instances,
      ServerFleetStatus status) {
    List<Instant> out = new ArrayList<>();
    Duration minReady = in.policy().minReady();
    for (Instance i : instances) {
      if (view.ready(i) && !view.available(i)) {
        out.add(in.readySince().getOrDefault(i.id(), in.now()).plus(minReady));
      }
      if (in.policy().statusChecks()
          && i.state() == InstanceState.RUNNING
          && i.health() == Health.IMPAIRED
          && !view.unhealthy(i)
          && i.launchTime() != null) {
        out.add(i.launchTime().plus(in.policy().healthGrace()));
      }
    }
    boolean complete =
        status.getConditions().stream()
            .anyMatch(
                c ->
                    Conditions.PROGRESSING.equals(c.getType())
                        && Conditions.ROLLOUT_COMPLETE.equals(c.getReason()));
    if (!complete
        && status.getLastProgressTime() != null
        && !Boolean.TRUE.equals(fleet.getSpec().getPaused())) {
      out.add(
          Instant.parse(status.getLastProgressTime())
              .plusSeconds(SpecDefaults.progressDeadlineSeconds(fleet))
              .plusSeconds(1));
    }
    return out;
  }
}
