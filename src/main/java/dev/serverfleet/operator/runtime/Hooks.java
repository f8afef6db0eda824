package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.AwsSsm;
import dev.serverfleet.operator.cloud.SsmPort;
import dev.serverfleet.operator.controller.WebhookTargets;

/**
 * What pre-termination hooks run on: the SSM port, where webhooks may go, and the shared bounds on
 * hook calls (concurrent webhook requests across all fleets; SSM calls per second).
 */
public record Hooks(
    SsmPort ssm, WebhookTargets targets, int maxConcurrentWebhooks, int ssmCallsPerSecond) {
  public static final int MAX_CONCURRENT_WEBHOOKS = 16;
  public static final int SSM_CALLS_PER_SECOND = 10;

  /** The operator's: SSM in its region (the EC2 endpoint override serves SSM too, as moto does). */
  public static Hooks of(OperatorConfig config) {
    return new Hooks(
        AwsSsm.create(config.region(), config.ec2Endpoint(), config.sdkRetries()),
        WebhookTargets.STRICT,
        MAX_CONCURRENT_WEBHOOKS,
        SSM_CALLS_PER_SECOND);
  }
}
