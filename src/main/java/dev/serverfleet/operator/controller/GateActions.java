package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Gate;

/**
 * The calls an SSM or webhook readiness gate makes, for {@link GateStage}; like {@link
 * DrainActions}, neither waits: an SSM command is sent and its invocation read on later passes, a
 * webhook runs on the shared bounded pool and is looked at on the next pass.
 */
public interface GateActions {

  DrainActions.Probed probe(ServerFleet fleet, ReadinessGate gate, Gate g);

  DrainActions.Sent send(ServerFleet fleet, ReadinessGate gate, Instance instance, Gate g);

  /**
   * The gate ended or its instance is gone: drop whatever this process keeps for it. {@code gate}
   * is null when the spec no longer has a call gate.
   */
  void forget(ServerFleet fleet, ReadinessGate gate, Gate g);

  /** For tests of the loop without gate calls: every call refused. */
  GateActions NONE =
      new GateActions() {
        @Override
        public DrainActions.Probed probe(ServerFleet fleet, ReadinessGate gate, Gate g) {
          return DrainActions.Probed.NONE;
        }

        @Override
        public DrainActions.Sent send(
            ServerFleet fleet, ReadinessGate gate, Instance instance, Gate g) {
          return DrainActions.Sent.refusal("this operator makes no readiness gate calls");
        }

        @Override
        public void forget(ServerFleet fleet, ReadinessGate gate, Gate g) {}
      };
}
