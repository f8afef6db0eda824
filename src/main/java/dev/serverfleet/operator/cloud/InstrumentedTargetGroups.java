package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.TargetState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times every ELBv2 call in the EC2 calls' metric ({@code
 * serverfleet_ec2_calls_seconds{operation,outcome}}), as {@link InstrumentedLaunchLookups} does for
 * SSM, so a dashboard sees every AWS call the operator makes in one place.
 */
public final class InstrumentedTargetGroups implements TargetGroups {
  private final TargetGroups delegate;
  private final MeterRegistry registry;

  public InstrumentedTargetGroups(TargetGroups delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public Map<String, TargetState> health(String targetGroupArn, Collection<String> instanceIds) {
    return timed("DescribeTargetHealth", () -> delegate.health(targetGroupArn, instanceIds));
  }

  @Override
  public void register(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    timed(
        "RegisterTargets",
        () -> {
          delegate.register(targetGroupArn, instanceIds, port);
          return null;
        });
  }

  @Override
  public void deregister(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    timed(
        "DeregisterTargets",
        () -> {
          delegate.deregister(targetGroupArn, instanceIds, port);
          return null;
        });
  }

  @Override
  public int deregistrationDelaySeconds(String targetGroupArn) {
    return timed(
        "DescribeTargetGroupAttributes", () -> delegate.deregistrationDelaySeconds(targetGroupArn));
  }

  private <T> T timed(String operation, Supplier<T> call) {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "success";
    try {
      return call.get();
    } catch (CloudException e) {
      outcome = e.errorClass().name().toLowerCase(java.util.Locale.ROOT);
      throw e;
    } catch (RuntimeException e) {
      outcome = "error";
      throw e;
    } finally {
      sample.stop(
          Timer.builder(InstrumentedEc2.METRIC)
              .description("EC2 API calls by operation and outcome")
              .tag("operation", operation)
              .tag("outcome", outcome)
              .register(registry));
    }
  }
}
