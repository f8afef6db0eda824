package dev.serverfleet.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The interruption queue on moto as {@code deploy/aws/interruption-queue.cfn.yaml} builds it on
 * AWS: an SQS queue and the template's four EventBridge rules (their event patterns read from the
 * template) targeting it. Events go in through EventBridge's PutEvents, shaped as AWS's documented
 * examples, and reach the queue only if a rule's pattern matches, as on AWS.
 */
public final class InterruptionBus implements AutoCloseable {
  public static final Path TEMPLATE = Path.of("deploy", "aws", "interruption-queue.cfn.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsClient sqs;
  private final EventBridgeClient events;
  private final String queueUrl;

  private InterruptionBus(SqsClient sqs, EventBridgeClient events, String queueUrl) {
    this.sqs = sqs;
    this.events = events;
    this.queueUrl = queueUrl;
  }

  /** Creates the queue and the template's rules on moto. */
  public static InterruptionBus create(URI moto, String queueName) {
    var credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    SqsClient sqs =
        SqsClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto)
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    EventBridgeClient events =
        EventBridgeClient.builder()
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto)
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    String url = sqs.createQueue(r -> r.queueName(queueName)).queueUrl();
    String arn =
        sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    rulePatterns()
        .forEach(
            (name, pattern) -> {
              String rule = queueName + "-" + name;
              events.putRule(r -> r.name(rule).eventPattern(pattern));
              events.putTargets(
                  r -> r.rule(rule).targets(Target.builder().id("queue").arn(arn).build()));
            });
    return new InterruptionBus(sqs, events, url);
  }

  /** Each AWS::Events::Rule of the template, by logical id, with its EventPattern as JSON. */
  public static Map<String, String> rulePatterns() {
    try {
      JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(TEMPLATE.toFile());
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode resources = template.path("Resources");
      for (String name : (Iterable<String>) resources::fieldNames) {
        JsonNode resource = resources.path(name);
        if ("AWS::Events::Rule".equals(resource.path("Type").asText())) {
          out.put(name, resource.path("Properties").path("EventPattern").toString());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String queueUrl() {
    return queueUrl;
  }

  /** An EventBridge event from {@code source}, as AWS emits it, through PutEvents. */
  public void put(String source, String detailType, Object detail, List<String> resources) {
    String json;
    try {
      json = JSON.writeValueAsString(detail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PutEventsResponse answer =
        events.putEvents(
            r ->
                r.entries(
                    PutEventsRequestEntry.builder()
                        .source(source)
                        .detailType(detailType)
                        .detail(json)
                        .resources(resources)
                        .build()));
    if (answer.failedEntryCount() != 0) {
      throw new IllegalStateException("PutEvents refused: " + answer.entries());
    }
  }

  /** EC2's spot interruption warning for the instance (AWS's documented example's shape). */
  public void spotWarning(String instanceId) {
    put(
        "aws.ec2",
        "EC2 Spot Instance Interruption Warning",
        Map.of("instance-id", instanceId, "instance-action", "terminate"),
        List.of("arn:aws:ec2:us-east-1a:instance/" + instanceId));
  }

  public void rebalanceRecommendation(String instanceId) {
    put(
        "aws.ec2",
        "EC2 Instance Rebalance Recommendation",
        Map.of("instance-id", instanceId),
        List.of("arn:aws:ec2:us-east-1:123456789012:instance/" + instanceId));
  }

  public void stateChange(String instanceId, String state) {
    put(
        "aws.ec2",
        "EC2 Instance State-change Notification",
        Map.of("instance-id", instanceId, "state", state),
        List.of("arn:aws:ec2:us-east-1:123456789012:instance/" + instanceId));
  }

  /** A message that did not come through EventBridge at all. */
  public void sendRaw(String body) {
    sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
  }

  /** Messages in the queue, visible or received and not yet deleted. */
  public int depth() {
    Map<QueueAttributeName, String> a =
        sqs.getQueueAttributes(
                r ->
                    r.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  @Override
  public void close() {
    sqs.close();
    events.close();
  }
}
