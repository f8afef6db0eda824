package dev.serverfleet.operator.cloud;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * Puts every HTTP attempt of an EC2 client, the SDK's own retries included, through {@link
 * Ec2RateLimits}: it waits for a token before the request leaves (for RunInstances, also for as
 * many instances as its MaxCount), and reports each answer. EC2 answers a throttle with HTTP 503
 * (RequestLimitExceeded), as it does when it is unavailable; both mean "slower".
 */
final class RateLimitInterceptor implements ExecutionInterceptor {
  private static final int SERVICE_UNAVAILABLE = 503;
  private static final int TOO_MANY_REQUESTS = 429;

  private final Ec2RateLimits limits;

  RateLimitInterceptor(Ec2RateLimits limits) {
    this.limits = limits;
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    limits.acquire(operation(attributes), instances(context.request()));
  }

  /** How many instances the call launches: RunInstances' MaxCount, else 1. */
  static int instances(SdkRequest request) {
    if (request instanceof RunInstancesRequest run && run.maxCount() != null) {
      return Math.max(1, run.maxCount());
    }
    return 1;
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    int status = context.httpResponse().statusCode();
    if (status == SERVICE_UNAVAILABLE || status == TOO_MANY_REQUESTS) {
      limits.throttled(operation(attributes));
    } else {
      limits.succeeded(operation(attributes));
    }
  }

  private static String operation(ExecutionAttributes attributes) {
    String name = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    return name == null ? "" : name;
  }
}
