package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Times every lookup as {@link InstrumentedEc2} times EC2 calls, in the same metric ({@code
 * serverfleet_ec2_calls_seconds{operation,outcome}}; GetParameter is SSM's), so a dashboard sees
 * every AWS call the operator makes in one place.
 */
public final class InstrumentedLaunchLookups implements LaunchLookups {
  private final LaunchLookups delegate;
  private final MeterRegistry registry;

  public InstrumentedLaunchLookups(LaunchLookups delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public Optional<String> ssmParameter(String name) {
    return timed("GetParameter", () -> delegate.ssmParameter(name));
  }

  @Override
  public List<Image> images(String name, List<String> owners, Map<String, String> tags) {
    return timed("DescribeImages", () -> delegate.images(name, owners, tags));
  }

  @Override
  public List<Subnet> subnets(Map<String, String> tags) {
    return timed("DescribeSubnets", () -> delegate.subnets(tags));
  }

  @Override
  public List<String> securityGroups(Map<String, String> tags) {
    return timed("DescribeSecurityGroups", () -> delegate.securityGroups(tags));
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
