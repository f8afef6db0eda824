package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** A drain run before an instance is terminated: exactly one action. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.webhook) != has(self.ssmCommand)",
    message = "lifecycle.preTerminate needs exactly one action: webhook or ssmCommand")
public class PreTerminateHook {
  @JsonPropertyDescription(
      "An HTTPS POST to a drain service you run, with the instance's id, fleet, namespace, zone, "
          + "private IP and the reason; any 2xx answer is success.")
  private WebhookAction webhook;

  @JsonPropertyDescription(
      "An SSM Run Command sent to the instance (SendCommand), followed until it ends "
          + "(GetCommandInvocation); Success is success.")
  private SsmCommandAction ssmCommand;

  @JsonPropertyDescription(
      "What happens when the action fails or times out: Continue (the default) terminates the "
          + "instance anyway; Abandon keeps it, marks it Abandoned in status.draining and sets "
          + "Degraded until a person terminates it or tags it serverfleet.dev/drain-decision=terminate.")
  private DefaultResult defaultResult;

  public WebhookAction getWebhook() {
    return webhook;
  }

  public void setWebhook(WebhookAction webhook) {
    this.webhook = webhook;
  }

  public SsmCommandAction getSsmCommand() {
    return ssmCommand;
  }

  public void setSsmCommand(SsmCommandAction ssmCommand) {
    this.ssmCommand = ssmCommand;
  }

  public DefaultResult getDefaultResult() {
    return defaultResult;
  }

  public void setDefaultResult(DefaultResult defaultResult) {
    this.defaultResult = defaultResult;
  }
}
