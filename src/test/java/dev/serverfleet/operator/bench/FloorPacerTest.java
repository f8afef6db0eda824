package dev.serverfleet.operator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FloorPacerTest {
  private static final long MS = 1_000_000L;
  private static final long T0 = 1_000 * MS; // any origin: the pacer only takes differences

  /** Calls of one action all asked at T0: the burst goes at once, the rest at the refill rate. */
  static Stream<Arguments> requestBuckets() {
    return Stream.of(
        Arguments.of("RunInstances", 5, 500 * MS),
        Arguments.of("TerminateInstances", 100, 200 * MS),
        Arguments.of("CreateTags", 100, 100 * MS),
        Arguments.of("DescribeInstances", 100, 50 * MS),
        Arguments.of("DescribeSubnets", 100, 50 * MS));
  }

  @ParameterizedTest
  @MethodSource("requestBuckets")
  void sendsTheBurstAtOnceThenOneCallPerRefill(String action, int burst, long interval) {
    FloorPacer pacer = new FloorPacer(T0);
    int launched = action.equals("RunInstances") ? 1 : 0;
    List<Long> sends = new ArrayList<>();
    for (int i = 0; i < burst + 3; i++) {
      sends.add(pacer.reserve(action, launched, T0) - T0);
    }
    assertThat(sends.subList(0, burst)).containsOnly(0L);
    assertThat(sends.subList(burst, burst + 3))
        .containsExactly(interval, 2 * interval, 3 * interval);
  }

  @Test
  void describesTerminationsAndLaunchesDrawOnSeparateBuckets() {
    FloorPacer pacer = new FloorPacer(T0);
    for (int i = 0; i < 5; i++) {
      pacer.reserve("RunInstances", 1, T0);
    }
    assertThat(pacer.reserve("DescribeInstances", 0, T0)).isEqualTo(T0);
    assertThat(pacer.reserve("TerminateInstances", 0, T0)).isEqualTo(T0);
    assertThat(pacer.reserve("RunInstances", 1, T0)).isEqualTo(T0 + 500 * MS);
  }

  @Test
  void launchesWaitForTheInstanceBucketAtTwoInstancesPerSecond() {
    FloorPacer pacer = new FloorPacer(T0);
    assertThat(pacer.reserve("RunInstances", 1000, T0)).isEqualTo(T0);
    assertThat(pacer.reserve("RunInstances", 10, T0)).isEqualTo(T0 + 5_000 * MS);
    // The request bucket refilled meanwhile; the instance bucket decides again.
    assertThat(pacer.reserve("RunInstances", 1, T0)).isEqualTo(T0 + 5_500 * MS);
  }

  @Test
  void aBucketRefillsOnlyUpToItsBurst() {
    FloorPacer pacer = new FloorPacer(T0);
    long later = T0 + 60_000 * MS;
    for (int i = 0; i < 5; i++) {
      assertThat(pacer.reserve("RunInstances", 1, later)).isEqualTo(later);
    }
    assertThat(pacer.reserve("RunInstances", 1, later)).isEqualTo(later + 500 * MS);
  }

  @Test
  void refusesALaunchLargerThanTheInstanceBucket() {
    assertThatThrownBy(() -> new FloorPacer(T0).reserve("RunInstances", 1001, T0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Whatever the mix and the order calls ask in, an account that starts full admits every call at
   * the time the pacer gives it (checked by an account written apart from the pacer), and no call
   * is sent before it asked.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void theAccountAdmitsEveryCallAtItsSendTime(long seed) {
    Random random = new Random(seed);
    String[] actions = {"RunInstances", "TerminateInstances", "CreateTags", "DescribeInstances"};
    FloorPacer pacer = new FloorPacer(T0);
    List<long[]> sends = new ArrayList<>(); // {sendAt, actionIndex, launched}
    long now = T0;
    for (int i = 0; i < 2_000; i++) {
      now += random.nextInt(3) == 0 ? random.nextInt(400) * MS : 0;
      int a = random.nextInt(actions.length);
      int launched = a == 0 ? 1 + random.nextInt(random.nextBoolean() ? 10 : 400) : 0;
      long sendAt = pacer.reserve(actions[a], launched, now);
      assertThat(sendAt).isGreaterThanOrEqualTo(now);
      sends.add(new long[] {sendAt, a, launched});
    }
    sends.sort(Comparator.comparingLong(s -> s[0]));
    Account account = new Account(T0);
    for (long[] s : sends) {
      assertThat(account.admit(actions[(int) s[1]], (int) s[2], s[0])).isTrue();
    }
  }

  /** EC2's default limits for one account, each bucket refilled when a call arrives. */
  private static final class Account {
    private final Map<String, double[]> buckets = new HashMap<>(); // {burst, rate, level, at}

    Account(long start) {
      buckets.put("RunInstances", new double[] {5, 2, 5, start});
      buckets.put("instances", new double[] {1000, 2, 1000, start});
      buckets.put("TerminateInstances", new double[] {100, 5, 100, start});
      buckets.put("CreateTags", new double[] {100, 10, 100, start});
      buckets.put("DescribeInstances", new double[] {100, 20, 100, start});
    }

    boolean admit(String action, int launched, long at) {
      boolean ok = take(buckets.get(action), 1, at);
      return launched == 0 ? ok : take(buckets.get("instances"), launched, at) && ok;
    }

    private static boolean take(double[] b, int n, long at) {
      b[2] = Math.min(b[0], b[2] + (at - b[3]) / 1e9 * b[1]);
      b[3] = at;
      b[2] -= n;
      return b[2] > -1e-6; // nanosecond rounding of the send time
    }
  }
}
