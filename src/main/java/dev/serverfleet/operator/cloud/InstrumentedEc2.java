package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Counts and times every EC2 call by operation and outcome ({@code success} or the error class), as
 * {@code serverfleet_ec2_calls_seconds_count{operation,outcome}} in Prometheus.
 */
public final class InstrumentedEc2 implements Ec2Port {
  public static final String METRIC = "serverfleet.ec2.calls";

  private final Ec2Port delegate;
  private final MeterRegistry registry;

  public InstrumentedEc2(Ec2Port delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public List<Instance> describeOwned(String clusterName) {
    return timed("DescribeInstances", () -> delegate.describeOwned(clusterName));
  }

  @Override
  public List<Instance> describeLaunch(String clusterName, String clientToken) {
    return timed("DescribeInstances", () -> delegate.describeLaunch(clusterName, clientToken));
  }

  @Override
  public Map<String, Health> describeHealth(Collection<String> instanceIds) {
    return timed("DescribeInstanceStatus", () -> delegate.describeHealth(instanceIds));
  }

  @Override
  public Set<String> existingImages(Collection<String> amiIds) {
    return timed("DescribeImages", () -> delegate.existingImages(amiIds));
  }

  @Override
  public List<Instance> describeByIds(Collection<String> instanceIds) {
    return timed("DescribeInstances", () -> delegate.describeByIds(instanceIds));
  }

  @Override
  public List<Instance> runInstances(LaunchRequest request) {
    return timed("RunInstances", () -> delegate.runInstances(request));
  }

  @Override
  public BatchResult terminate(Collection<String> instanceIds) {
    return timed("TerminateInstances", () -> delegate.terminate(instanceIds));
  }

  @Override
  public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
    return timed("DeleteTags", () -> delegate.untag(instanceIds, tagKeys));
  }

  private <T> T timed(String operation, Supplier<T> call) {
    return timed(registry, operation, call);
  }

  /** Times one call on {@code registry} under {@link #METRIC}, with its outcome. */
  static <T> T timed(MeterRegistry registry, String operation, Supplier<T> call) {
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
          Timer.builder(METRIC)
              .description("EC2 API calls by operation and outcome")
              .tag("operation", operation)
              .tag("outcome", outcome)
              .register(registry));
    }
  }
}
