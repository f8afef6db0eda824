package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The interceptor in a real SDK client's pipeline (an HTTP client that answers in process): a
 * RunInstances draws its MaxCount from the instance bucket before it leaves, a 503 slows its class.
 */
class RateLimitInterceptorTest {
  private static final long SECOND = 1_000_000_000L;
  private static final String OK =
      "<RunInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
          + "<requestId>r</requestId></RunInstancesResponse>";
  private static final String THROTTLED =
      "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
          + "<Message>Request limit exceeded.</Message></Error></Errors>"
          + "<RequestID>r</RequestID></Response>";

  private final AtomicLong now = new AtomicLong(SECOND);
  private final List<Long> waited = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger sent = new AtomicInteger();

  /** Account limits of 10 instances refilled at 1 a second: the client's 8 at 0.9. */
  private final Ec2RateLimits limits =
      new Ec2RateLimits(
          registry,
          Ec2Buckets.parse("run-instances=10/1").orElseThrow(),
          now::get,
          (changed, nanos) -> {
            waited.add(nanos);
            now.addAndGet(nanos);
          });

  private final SdkHttpClient answering =
      new SdkHttpClient() {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
          return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
              sent.incrementAndGet();
              byte[] body = (status.get() == 200 ? OK : THROTTLED).getBytes(StandardCharsets.UTF_8);
              return HttpExecuteResponse.builder()
                  .response(SdkHttpResponse.builder().statusCode(status.get()).build())
                  .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body)))
                  .build();
            }

            @Override
            public void abort() {}
          };
        }

        @Override
        public void close() {}
      };

  private final Ec2Client ec2 =
      Ec2Client.builder()
          .region(Region.US_EAST_1)
          .endpointOverride(URI.create("http://127.0.0.1:1"))
          .credentialsProvider(
              StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
          .httpClient(answering)
          .overrideConfiguration(
              o ->
                  o.retryStrategy(AwsRetryStrategy.doNotRetry())
                      .addExecutionInterceptor(new RateLimitInterceptor(limits)))
          .build();

  private void run(int count) {
    ec2.runInstances(
        RunInstancesRequest.builder()
            .imageId("ami-12345678")
            .minCount(count)
            .maxCount(count)
            .build());
  }

  @Test
  void aRunInstancesWaitsForItsMaxCountOfInstancesBeforeItLeaves() {
    run(8);
    assertThat(waited).as("the client's 8 instances").isEmpty();
    run(3);
    assertThat(waited)
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(3 * SECOND * 10 / 9, within(2L)));
    assertThat(sent).hasValue(2);
  }

  @Test
  void aThrottledAnswerSlowsItsClassDown() {
    status.set(503);
    assertThatThrownBy(() -> run(1))
        .isInstanceOfSatisfying(
            Ec2Exception.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestLimitExceeded"));
    assertThat(registry.get("serverfleet.ec2.throttled").tag("class", "run").counter().count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("serverfleet.ec2.rate.per.second")
                .tag("class", "run-instances")
                .gauge()
                .value())
        .isCloseTo(0.45, within(1e-9));
  }

  @Test
  void onlyRunInstancesCountsInstancesAndAMissingMaxCountIsOne() {
    assertThat(RateLimitInterceptor.instances(RunInstancesRequest.builder().maxCount(250).build()))
        .isEqualTo(250);
    assertThat(RateLimitInterceptor.instances(RunInstancesRequest.builder().build())).isEqualTo(1);
    assertThat(RateLimitInterceptor.instances(RunInstancesRequest.builder().maxCount(0).build()))
        .isEqualTo(1);
    assertThat(
            RateLimitInterceptor.instances(
                DescribeInstancesRequest.builder().maxResults(1000).build()))
        .isEqualTo(1);
  }
}
