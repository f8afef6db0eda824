package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Times every DescribeInstanceTypes call by outcome, in the same meter as {@link InstrumentedEc2}
 * ({@code serverfleet_ec2_calls_seconds{operation="DescribeInstanceTypes",outcome}}). Sits under
 * {@link CachedInstanceTypes}, so only calls that reach EC2 are counted.
 */
public final class InstrumentedInstanceTypes implements InstanceTypeInfo {
  private final InstanceTypeInfo delegate;
  private final MeterRegistry registry;

  public InstrumentedInstanceTypes(InstanceTypeInfo delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public Map<String, Integer> vcpus(Collection<String> types) {
    if (types.isEmpty()) {
      return delegate.vcpus(types);
    }
    Timer.Sample sample = Timer.start(registry);
    String outcome = "success";
    try {
      return delegate.vcpus(types);
    } catch (CloudException e) {
      outcome = e.errorClass().name().toLowerCase(Locale.ROOT);
      throw e;
    } catch (RuntimeException e) {
      outcome = "error";
      throw e;
    } finally {
      sample.stop(
          Timer.builder(InstrumentedEc2.METRIC)
              .description("EC2 API calls by operation and outcome")
              .tag("operation", "DescribeInstanceTypes")
              .tag("outcome", outcome)
              .register(registry));
    }
  }
}
