package dev.serverfleet.operator.cloud;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * {@link EventQueue} on SQS with the AWS SDK v2. The endpoint is the queue URL's own origin ({@code
 * https://sqs.<region>.amazonaws.com} on AWS, an emulator's address in tests), so the URL alone
 * names the queue and where to reach it. The HTTP read timeout is longer than a long poll.
 */
public final class AwsEventQueue implements EventQueue {
  private final SqsClient sqs;
  private final String queueUrl;

  AwsEventQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  /**
   * @param queueUrl e.g. https://sqs.us-east-1.amazonaws.com/123456789012/serverfleet-interruptions
   * @param sdkRetries false turns the SDK's own retries off
   */
  public static AwsEventQueue create(String queueUrl, String region, boolean sdkRetries) {
    URI url = URI.create(queueUrl);
    if (url.getScheme() == null || url.getHost() == null) {
      throw new IllegalArgumentException("not a queue URL: " + queueUrl);
    }
    URI endpoint =
        URI.create(
            url.getScheme()
                + "://"
                + url.getHost()
                + (url.getPort() < 0 ? "" : ":" + url.getPort()));
    SqsClient client =
        SqsClient.builder()
            .region(Region.of(region))
            .endpointOverride(endpoint)
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .socketTimeout(Duration.ofSeconds(WAIT_SECONDS + 10L))
                    .connectionTimeout(Duration.ofSeconds(5)))
            .overrideConfiguration(
                o -> {
                  if (!sdkRetries) {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                  }
                })
            .build();
    return new AwsEventQueue(client, queueUrl);
  }

  @Override
  public List<Message> receive() {
    ReceiveMessageResponse answer =
        call(
            "ReceiveMessage",
            () ->
                sqs.receiveMessage(
                    r ->
                        r.queueUrl(queueUrl)
                            .waitTimeSeconds(WAIT_SECONDS)
                            .maxNumberOfMessages(MAX_MESSAGES)));
    return answer.messages().stream()
        .map(m -> new Message(m.messageId(), m.receiptHandle(), m.body()))
        .toList();
  }

  @Override
  public int delete(Collection<String> receiptHandles) {
    List<String> all = List.copyOf(receiptHandles);
    int deleted = 0;
    for (int from = 0; from < all.size(); from += MAX_MESSAGES) {
      List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
      List<String> chunk = all.subList(from, Math.min(all.size(), from + MAX_MESSAGES));
      for (int n = 0; n < chunk.size(); n++) {
        entries.add(
            DeleteMessageBatchRequestEntry.builder()
                .id(String.valueOf(n))
                .receiptHandle(chunk.get(n))
                .build());
      }
      DeleteMessageBatchResponse answer =
          call(
              "DeleteMessageBatch",
              () -> sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries)));
      deleted += answer.successful().size();
    }
    return deleted;
  }

  private static <T> T call(String operation, Supplier<T> sdkCall) {
    try {
      return sdkCall.get();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify(operation, e);
    }
  }
}
