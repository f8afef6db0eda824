package dev.serverfleet.operator.cloud;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * {@link SsmPort} on the AWS SDK v2. Built once at start-up with the operator's region, like {@link
 * AwsEc2}; every SDK failure leaves as a {@link CloudException} named after the SSM operation.
 */
public final class AwsSsm implements SsmPort {
  private final SsmClient ssm;

  public AwsSsm(SsmClient ssm) {
    this.ssm = ssm;
  }

  /** The client for the operator's region; an endpoint override for moto. */
  public static AwsSsm create(String region, Optional<URI> endpointOverride, boolean sdkRetries) {
    return new AwsSsm(
        client(region, endpointOverride, sdkRetries, DefaultCredentialsProvider.builder().build()));
  }

  public static SsmClient client(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      AwsCredentialsProvider credentials) {
    SsmClientBuilder builder =
        SsmClient.builder()
            .credentialsProvider(credentials)
            .region(Region.of(region))
            .httpClientBuilder(UrlConnectionHttpClient.builder());
    endpointOverride.ifPresent(builder::endpointOverride);
    if (!sdkRetries) {
      builder.overrideConfiguration(
          o -> o.retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()));
    }
    return builder.build();
  }

  @Override
  public String sendCommand(
      String instanceId,
      String documentName,
      Map<String, List<String>> parameters,
      int timeoutSeconds,
      String comment) {
    try {
      return ssm.sendCommand(
              r ->
                  r.instanceIds(instanceId)
                      .documentName(documentName)
                      .parameters(parameters == null ? Map.of() : parameters)
                      .timeoutSeconds(timeoutSeconds)
                      .comment(comment.length() > 100 ? comment.substring(0, 100) : comment))
          .command()
          .commandId();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("SendCommand", e);
    }
  }

  @Override
  public Invocation commandInvocation(String commandId, String instanceId) {
    GetCommandInvocationResponse r;
    try {
      r = ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId));
    } catch (InvocationDoesNotExistException e) {
      return new Invocation(CommandState.RUNNING, "not visible yet");
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("GetCommandInvocation", e);
    }
    String status = r.statusAsString();
    String detail =
        status
            + (r.statusDetails() == null || r.statusDetails().equals(status)
                ? ""
                : " (" + r.statusDetails() + ")")
            + (r.responseCode() == null || r.responseCode() < 0
                ? ""
                : ", exit code " + r.responseCode());
    return new Invocation(stateOf(status), detail);
  }

  static CommandState stateOf(String status) {
    return switch (status == null ? "" : status) {
      case "Success" -> CommandState.SUCCESS;
      case "Pending", "InProgress", "Delayed", "" -> CommandState.RUNNING;
      default -> CommandState.FAILED;
    };
  }
}
