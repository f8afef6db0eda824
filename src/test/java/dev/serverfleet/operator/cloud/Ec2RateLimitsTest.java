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

/**
 * EC2's buckets on the client, one caller at a time, on a clock the test moves (a wait moves it):
 * classes, headroom, RunInstances' two buckets, AIMD, sizes from the flag, metrics, the caller.
 */
class Ec2RateLimitsTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);
  private final List<Long> slept = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Ec2RateLimits limits = limits(Ec2Buckets.EC2_DEFAULTS);

  private Ec2RateLimits limits(Ec2Buckets sizes) {
    return new Ec2RateLimits(
        registry,
        sizes,
        now::get,
        (changed, nanos) -> {
          slept.add(nanos);
          now.addAndGet(nanos); // the only caller waits: time passes
        });
  }

  private double rate(String bucket) {
    return registry.get("serverfleet.ec2.rate.per.second").tag("class", bucket).gauge().value();
  }

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
  void runInstancesTakesItsCountFromAnInstanceBucketOf800At1Point8PerSecond() {
    limits.acquire("RunInstances", 500);
    limits.acquire("RunInstances", 300);
    assertThat(slept).as("800 instances: EC2's 1,000 with headroom").isEmpty();
    now.addAndGet(10 * SECOND); // the request bucket is full again; 18 instances came back
    limits.acquire("RunInstances", 100);
    assertThat(slept)
        .as("82 instances more at 1.8 per second")
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(82 * SECOND * 10 / 18, within(2L)));
  }

  @Test
  void aLaunchOfMoreThanTheBurstWaitsForAFullBucketNotForever() {
    limits.acquire("RunInstances", 800);
    limits.acquire("RunInstances", 5000);
    assertThat(slept)
        .as("800 instances back at 1.8 per second, then it goes")
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(800 * SECOND * 10 / 18, within(2L)));
    slept.clear();
    limits.acquire("RunInstances", 1);
    assertThat(slept)
        .as("it took all 5,000: the next launch waits for that debt")
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(4201 * SECOND * 10 / 18, within(2L)));
  }

  @Test
  void anInstanceCountMeansNothingToOtherClasses() {
    for (int n = 0; n < 80; n++) {
      limits.acquire("DescribeInstances", 1000);
    }
    assertThat(slept).as("80 describes, one token each").isEmpty();
    limits.acquire("RunInstances", 800);
    assertThat(slept).isEmpty();
  }

  @Test
  void theFlagsSizesAreUsedWithTheSameHeadroom() {
    Ec2RateLimits small = limits(Ec2Buckets.parse("run-instances=10/2,describe=5/1").orElseThrow());
    small.acquire("RunInstances", 8);
    assertThat(slept).as("8 of EC2's 10").isEmpty();
    small.acquire("RunInstances", 1);
    assertThat(slept)
        .singleElement()
        .satisfies(w -> assertThat(w).isCloseTo(SECOND * 10 / 18, within(2L)));
    for (int n = 0; n < 4; n++) {
      small.acquire("DescribeInstances");
    }
    assertThat(slept).as("4 of EC2's 5").hasSize(1);
    small.acquire("DescribeInstances");
    assertThat(slept.get(1)).as("1 / 0.9 per second").isCloseTo(SECOND * 10 / 9, within(2L));
  }

  @Test
  void aThrottleHalvesItsClassesRatesAndSuccessesBringThemBack() {
    limits.throttled("DescribeInstances");
    assertThat(rate("describe")).isCloseTo(9, within(1e-9));
    assertThat(rate("run")).as("other classes unaffected").isCloseTo(1.8, within(1e-9));
    limits.throttled("RunInstances");
    assertThat(rate("run")).isCloseTo(0.9, within(1e-9));
    assertThat(rate("run-instances"))
        .as("EC2 does not say which of RunInstances' buckets was empty: both slow down")
        .isCloseTo(0.9, within(1e-9));
    for (int n = 0; n < 100; n++) {
      limits.succeeded("DescribeInstances");
      limits.succeeded("RunInstances");
    }
    assertThat(rate("describe")).isCloseTo(18, within(1e-9));
    assertThat(rate("run-instances")).isCloseTo(1.8, within(1e-9));
    assertThat(registry.get("serverfleet.ec2.throttled").tag("class", "describe").counter().count())
        .isEqualTo(1);
  }

  @Test
  void waitsAreTimedAndNobodyWaitsBetweenCalls() {
    for (int n = 0; n < 81; n++) {
      limits.acquire("TerminateInstances");
    }
    var timer = registry.get("serverfleet.ec2.rate.wait").tag("class", "terminate").timer();
    assertThat(timer.count()).isEqualTo(81);
    assertThat(timer.max(java.util.concurrent.TimeUnit.NANOSECONDS))
        .as("1 / 4.5 per second")
        .isCloseTo(222_222_222L, within(2.0));
    for (String c : List.of("describe", "run", "terminate", "tags")) {
      assertThat(registry.get("serverfleet.ec2.rate.waiting").tag("class", c).gauge().value())
          .isZero();
    }
  }

  @Test
  @SuppressWarnings("try") // the scope is its opening and closing
  void callsOutsideAFleetsPassAreTheOperatorsAndScopesNest() {
    assertThat(Ec2RateLimits.currentCaller()).isEqualTo(Ec2RateLimits.OPERATOR);
    try (Ec2RateLimits.Caller outer = Ec2RateLimits.caller("shop/web")) {
      assertThat(Ec2RateLimits.currentCaller()).isEqualTo("shop/web");
      assertThat(Ec2RateLimits.callingAs("shop/db", Ec2RateLimits::currentCaller))
          .isEqualTo("shop/db");
      assertThat(Ec2RateLimits.currentCaller()).isEqualTo("shop/web");
    }
    assertThat(Ec2RateLimits.currentCaller()).isEqualTo(Ec2RateLimits.OPERATOR);
  }
}
