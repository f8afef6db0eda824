package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.serverfleet.operator.cloud.Ec2RateLimits.ActionClass;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** EC2's buckets on the client, on a clock the test moves: waits, classes, AIMD, metrics. */
class Ec2RateLimitsTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);
  private final List<Long> slept = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Ec2RateLimits limits =
      new Ec2RateLimits(
          registry,
          now::get,
          nanos -> {
            slept.add(nanos);
            now.addAndGet(nanos); // the caller sleeps: time passes
          });

  @ParameterizedTest(name = "{0} is metered as {1}")
  @CsvSource({
    "RunInstances, RUN",
    "TerminateInstances, TERMINATE",
    "CreateTags, TAGS",
    "DeleteTags, TAGS",
    "DescribeInstances, DESCRIBE",
    "DescribeInstanceStatus, DESCRIBE",
    "DescribeImages, DESCRIBE",
    "'', DESCRIBE"
  })
  void operationsFallIntoEc2sClasses(String operation, ActionClass expected) {
    assertThat(ActionClass.of(operation)).isEqualTo(expected);
  }

  @Test
  void runInstancesBurstsFourThenOnePointEightPerSecondJustBelowEc2sFiveAndTwo() {
    for (int n = 0; n < 4; n++) {
      limits.acquire("RunInstances");
    }
    assertThat(slept).as("the burst does not wait").isEmpty();
    for (int n = 0; n < 4; n++) {
      limits.acquire("RunInstances");
    }
    assertThat(slept).hasSize(4).allSatisfy(w -> assertThat(w).isCloseTo(555_555_556L, within(2L)));
  }

  @Test
  void callersQueueInTheOrderTheyAsked() {
    TokenBucket bucket = new TokenBucket(1, 2, now::get);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(SECOND / 2);
    assertThat(bucket.reserve()).as("the next one waits behind the one waiting").isEqualTo(SECOND);
  }

  @Test
  void aThrottleHalvesTheRateOnceASecondDownToATenthAndSuccessesBringItBack() {
    limits.throttled("DescribeInstances");
    assertThat(limits.rate(ActionClass.DESCRIBE)).isCloseTo(9, within(1e-9));
    limits.throttled("DescribeInstances");
    assertThat(limits.rate(ActionClass.DESCRIBE))
        .as("the calls in flight refused together are one congestion")
        .isCloseTo(9, within(1e-9));
    for (int n = 0; n < 9; n++) {
      now.addAndGet(SECOND);
      limits.throttled("DescribeInstances");
    }
    assertThat(limits.rate(ActionClass.DESCRIBE)).as("floor: a tenth").isCloseTo(1.8, within(1e-9));
    assertThat(limits.rate(ActionClass.RUN)).as("other classes unaffected").isEqualTo(1.8);
    for (int n = 0; n < 100; n++) {
      limits.succeeded("DescribeInstances");
    }
    assertThat(limits.rate(ActionClass.DESCRIBE)).as("back to the ceiling").isEqualTo(18);
    assertThat(registry.get("serverfleet.ec2.throttled").tag("class", "describe").counter().count())
        .isEqualTo(11);
  }

  @Test
  void aSlowedBucketMakesCallersWaitLonger() {
    for (int n = 0; n < 80; n++) {
      limits.acquire("TerminateInstances");
    }
    assertThat(slept).as("EC2's burst of 100, with headroom: 80").isEmpty();
    limits.acquire("TerminateInstances");
    limits.throttled("TerminateInstances");
    limits.acquire("TerminateInstances");
    assertThat(slept).hasSize(2);
    assertThat(slept.get(0)).as("1 / 4.5 per second").isCloseTo(222_222_222L, within(2L));
    assertThat(slept.get(1)).as("1 / 2.25 per second").isCloseTo(444_444_444L, within(2L));
    assertThat(registry.get("serverfleet.ec2.rate.wait").tag("class", "terminate").timer().count())
        .isEqualTo(82);
  }

  @Test
  void tokensRefillWhileNobodyCalls() {
    for (int n = 0; n < 4; n++) {
      limits.acquire("RunInstances");
    }
    now.addAndGet(10 * SECOND);
    for (int n = 0; n < 4; n++) {
      limits.acquire("RunInstances");
    }
    assertThat(slept).as("refilled to the burst, not beyond").isEmpty();
    limits.acquire("RunInstances");
    assertThat(slept)
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(555_555_556L, within(2L)));
  }
}
