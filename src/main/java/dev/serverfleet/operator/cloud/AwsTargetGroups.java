package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.TargetState;
import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2ClientBuilder;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/**
 * {@link TargetGroups} on the AWS SDK v2, built once at start-up with the operator's region, like
 * {@link AwsSsm}; every SDK failure leaves as a {@link CloudException} named after the operation.
 */
public final class AwsTargetGroups implements TargetGroups {
  static final String DELAY_ATTRIBUTE = "deregistration_delay.timeout_seconds";

  private final ElasticLoadBalancingV2Client elb;

  public AwsTargetGroups(ElasticLoadBalancingV2Client elb) {
    this.elb = elb;
  }

  /** The client for the operator's region; an endpoint override for moto. */
  public static AwsTargetGroups create(
      String region, Optional<URI> endpointOverride, boolean sdkRetries) {
    return new AwsTargetGroups(
        client(region, endpointOverride, sdkRetries, DefaultCredentialsProvider.builder().build()));
  }

  public static ElasticLoadBalancingV2Client client(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      AwsCredentialsProvider credentials) {
    ElasticLoadBalancingV2ClientBuilder builder =
        ElasticLoadBalancingV2Client.builder()
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
  public Map<String, TargetState> health(String targetGroupArn, Collection<String> instanceIds) {
    List<TargetHealthDescription> found;
    try {
      found =
          elb.describeTargetHealth(
                  r -> r.targetGroupArn(targetGroupArn).targets(targets(instanceIds, null)))
              .targetHealthDescriptions();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("DescribeTargetHealth", e);
    }
    Map<String, TargetState> out = new HashMap<>();
    instanceIds.forEach(id -> out.put(id, TargetState.NOT_REGISTERED));
    for (TargetHealthDescription d : found) {
      String id = d.target().id();
      if (!out.containsKey(id)) {
        continue;
      }
      String reason = d.targetHealth() == null ? null : d.targetHealth().reasonAsString();
      TargetState state =
          "Target.NotRegistered".equals(reason)
              ? TargetState.NOT_REGISTERED
              : TargetState.of(d.targetHealth() == null ? null : d.targetHealth().stateAsString());
      out.put(id, state);
    }
    return out;
  }

  @Override
  public void register(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    try {
      elb.registerTargets(
          r -> r.targetGroupArn(targetGroupArn).targets(targets(instanceIds, port)));
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("RegisterTargets", e);
    }
  }

  @Override
  public void deregister(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    try {
      elb.deregisterTargets(
          r -> r.targetGroupArn(targetGroupArn).targets(targets(instanceIds, port)));
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("DeregisterTargets", e);
    }
  }

  @Override
  public int deregistrationDelaySeconds(String targetGroupArn) {
    try {
      return elb
          .describeTargetGroupAttributes(r -> r.targetGroupArn(targetGroupArn))
          .attributes()
          .stream()
          .filter(a -> DELAY_ATTRIBUTE.equals(a.key()))
          .map(a -> Integer.parseInt(a.value().trim()))
          .findFirst()
          // AWS's default when the attribute is not shown
          .orElse(300);
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("DescribeTargetGroupAttributes", e);
    }
  }

  private static List<TargetDescription> targets(Collection<String> ids, Integer port) {
    return ids.stream().map(id -> TargetDescription.builder().id(id).port(port).build()).toList();
  }
}
