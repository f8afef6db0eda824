package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** When a running instance counts as ready: once it says so. Exactly one kind. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.tag) ? 1 : 0) + (has(self.ssmCommand) ? 1 : 0) + (has(self.webhook) ? 1 : 0)"
            + " == 1",
    message = "lifecycle.readinessGate needs exactly one of tag, ssmCommand or webhook")
public class ReadinessGate {
  @JsonPropertyDescription(
      "The instance marks itself ready by tagging itself with this key and value (from user data,"
          + " with an instance profile allowed ec2:CreateTags on itself for that key). Until then"
          + " it is neither ready nor available, and healthCheck.gracePeriodSeconds after launch"
          + " it is replaced.")
  private TagGate tag;

  @JsonPropertyDescription(
      "An SSM Run Command sent once to each instance after it is running; the instance is ready"
          + " when the command ends in Success. A failed or timed-out command is sent again, at"
          + " most 3 times in all; then the instance stays not ready and is replaced"
          + " healthCheck.gracePeriodSeconds after launch.")
  private SsmCommandAction ssmCommand;

  @JsonPropertyDescription(
      "An HTTPS POST of {instanceId, fleet, namespace, zone, privateIp} to a service you run,"
          + " asked again every few seconds until it answers 2xx for that instance; then the"
          + " instance is ready. Same URL rules as preTerminate.webhook. Until then it is not"
          + " ready, and healthCheck.gracePeriodSeconds after launch it is replaced.")
  private WebhookAction webhook;

  public TagGate getTag() {
    return tag;
  }

  public void setTag(TagGate tag) {
    this.tag = tag;
  }

  public SsmCommandAction getSsmCommand() {
    return ssmCommand;
  }

  public void setSsmCommand(SsmCommandAction ssmCommand) {
    this.ssmCommand = ssmCommand;
  }

  public WebhookAction getWebhook() {
    return webhook;
  }

  public void setWebhook(WebhookAction webhook) {
    this.webhook = webhook;
  }
}
