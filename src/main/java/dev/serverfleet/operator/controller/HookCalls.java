package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;

/** {@link DrainActions} for the two kinds of pre-termination hook: webhook and SSM command. */
public final class HookCalls implements DrainActions {
  private final WebhookCalls webhooks;
  private final SsmDrains ssm;

  public HookCalls(WebhookCalls webhooks, SsmDrains ssm) {
    this.webhooks = webhooks;
    this.ssm = ssm;
  }

  @Override
  public Probed probe(ServerFleet fleet, PreTerminateHook hook, Drain drain) {
    return DrainStage.SSM.equals(drain.action()) ? ssm.probe(drain) : webhooks.probe(fleet, drain);
  }

  @Override
  public Sent send(ServerFleet fleet, PreTerminateHook hook, Instance instance, Drain drain) {
    if (hook.getSsmCommand() != null) {
      return ssm.send(fleet, hook.getSsmCommand(), instance, drain);
    }
    return webhooks.send(fleet, hook.getWebhook(), instance, drain);
  }

  @Override
  public void forget(ServerFleet fleet, Drain drain) {
    webhooks.forget(fleet, drain);
  }
}
