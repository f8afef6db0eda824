package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.cloud.SsmPort;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Drains by SSM Run Command: SendCommand once, then GetCommandInvocation on later passes by the
 * command id kept in status, so a restarted operator re-polls the command instead of sending it
 * again. SSM calls of all fleets share a budget of {@code callsPerSecond}; a call beyond it waits
 * for a later pass. A failed read of the invocation counts as still running: the drain's timeout
 * bounds it.
 */
public final class SsmDrains {
  static final int DEFAULT_TIMEOUT_SECONDS = 300;

  private final SsmPort ssm;
  private final Clock clock;
  private final int callsPerSecond;
  private long second;
  private int used;

  public SsmDrains(SsmPort ssm, Clock clock, int callsPerSecond) {
    this.ssm = ssm;
    this.clock = clock;
    this.callsPerSecond = callsPerSecond;
  }

  /** A call within this second's budget, or false. */
  private synchronized boolean take() {
    long now = Instant.now(clock).getEpochSecond();
    if (now != second) {
      second = now;
      used = 0;
    }
    if (used >= callsPerSecond) {
      return false;
    }
    used++;
    return true;
  }

  DrainActions.Probed probe(Drain d) {
    if (d.handle() == null) {
      return DrainActions.Probed.NONE;
    }
    if (!take()) {
      return new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, null);
    }
    try {
      SsmPort.Invocation inv = ssm.commandInvocation(d.handle(), d.instanceId());
      return switch (inv.state()) {
        case SUCCESS -> new DrainActions.Probed(DrainMachine.Probe.SUCCEEDED, inv.detail());
        case FAILED -> new DrainActions.Probed(DrainMachine.Probe.FAILED, inv.detail());
        case RUNNING -> new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, inv.detail());
      };
    } catch (CloudException e) {
      return new DrainActions.Probed(
          DrainMachine.Probe.IN_FLIGHT, "GetCommandInvocation failed (" + e.code() + ")");
    }
  }

  DrainActions.Sent send(ServerFleet fleet, SsmCommandAction action, Instance instance, Drain d) {
    if (!take()) {
      return DrainActions.Sent.deferred();
    }
    try {
      String commandId =
          ssm.sendCommand(
              instance.id(),
              action.getDocumentName(),
              action.getParameters(),
              Optional.ofNullable(action.getTimeoutSeconds()).orElse(DEFAULT_TIMEOUT_SECONDS),
              "serverfleet drain " + fleet.fleetKey() + " " + d.reason());
      return DrainActions.Sent.made(commandId);
    } catch (CloudException e) {
      if (e.errorClass() == ErrorClass.TERMINAL) {
        return DrainActions.Sent.refusal(
            "SendCommand refused (" + e.code() + "): " + e.getMessage());
      }
      return DrainActions.Sent.deferred();
    }
  }
}
