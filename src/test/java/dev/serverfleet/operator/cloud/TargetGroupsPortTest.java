package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decorators of the ELBv2 port: timing in the AWS calls' metric, the delay read once. */
class TargetGroupsPortTest {
  private static final String TG =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

  @Test
  void everyCallIsTimedByOperationAndOutcome() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FakeTargetGroups fake = new FakeTargetGroups(new MutableClock()).group(TG, 30);
    TargetGroups port = new InstrumentedTargetGroups(fake, registry);

    port.health(TG, List.of("i-1", "i-2"));
    port.register(TG, List.of("i-1"), null);
    assertThatThrownBy(() -> port.deregister("arn:nope", List.of("i-1"), null))
        .isInstanceOf(CloudException.class);

    assertThat(timer(registry, "DescribeTargetHealth", "success")).isEqualTo(1);
    assertThat(timer(registry, "RegisterTargets", "success")).isEqualTo(1);
    assertThat(timer(registry, "DeregisterTargets", "terminal")).isEqualTo(1);
  }

  @Test
  void theDeregistrationDelayIsReadOncePerTargetGroup() {
    FakeTargetGroups fake = new FakeTargetGroups(new MutableClock()).group(TG, 45);
    TargetGroups port = new CachedTargetGroups(fake);
    assertThat(port.deregistrationDelaySeconds(TG)).isEqualTo(45);
    assertThat(port.deregistrationDelaySeconds(TG)).isEqualTo(45);
    assertThat(fake.calls("DescribeTargetGroupAttributes")).isEqualTo(1);
  }

  @Test
  void withoutAnElbv2ClientEveryCallIsADefiniteRefusal() {
    assertThatThrownBy(() -> TargetGroups.NONE.health(TG, List.of("i-1")))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.TERMINAL));
  }

  private static long timer(SimpleMeterRegistry registry, String operation, String outcome) {
    var t =
        registry
            .find(InstrumentedEc2.METRIC)
            .tag("operation", operation)
            .tag("outcome", outcome)
            .timer();
    return t == null ? 0 : t.count();
  }
}
