package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * {@link Offerings} timed as {@link InstrumentedEc2} times the EC2 port: {@code
 * serverfleet_ec2_calls_seconds{operation,outcome}}.
 */
public final class InstrumentedOfferings implements Offerings {
  private final Offerings delegate;
  private final MeterRegistry registry;

  public InstrumentedOfferings(Offerings delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public Map<String, String> zonesOf(Collection<String> subnetIds) {
    return InstrumentedEc2.timed(registry, "DescribeSubnets", () -> delegate.zonesOf(subnetIds));
  }

  @Override
  public Map<String, Set<String>> offeredTypes(
      Collection<String> instanceTypes, Collection<String> zones) {
    return InstrumentedEc2.timed(
        registry,
        "DescribeInstanceTypeOfferings",
        () -> delegate.offeredTypes(instanceTypes, zones));
  }
}
