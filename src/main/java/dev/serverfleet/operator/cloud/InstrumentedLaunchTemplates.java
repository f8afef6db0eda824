package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@link LaunchTemplates} timed as {@link InstrumentedEc2} times the EC2 port: {@code
 * serverfleet_ec2_calls_seconds{operation="DescribeLaunchTemplateVersions",outcome}}.
 */
public final class InstrumentedLaunchTemplates implements LaunchTemplates {
  private final LaunchTemplates delegate;
  private final MeterRegistry registry;

  public InstrumentedLaunchTemplates(LaunchTemplates delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public LaunchTemplateVersion describe(String id, String name, String version) {
    return InstrumentedEc2.timed(
        registry, AwsLaunchTemplates.OPERATION, () -> delegate.describe(id, name, version));
  }
}
