package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A bucket's arithmetic on a clock the test moves: shortfall, take, the cap, debt, AIMD. */
class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(7 * SECOND);
  private final TokenBucket bucket = new TokenBucket(8, 2, now::get);

  @Test
  void aFullBucketLetsItsBurstGoAtOnceThenOneTokenPerRefill() {
    for (int n = 0; n < 8; n++) {
      assertThat(bucket.shortfall(1)).isZero();
      bucket.take(1);
    }
    assertThat(bucket.shortfall(1)).isEqualTo(SECOND / 2);
    assertThat(bucket.shortfall(3)).isEqualTo(3 * SECOND / 2);
    now.addAndGet(SECOND / 2);
    assertThat(bucket.shortfall(1)).as("asking does not take").isZero();
  }

  @Test
  void aCallOfManyTokensWaitsForAllOfThem() {
    bucket.take(8);
    now.addAndGet(SECOND);
    assertThat(bucket.shortfall(5)).as("2 there, 3 to come at 2/s").isEqualTo(3 * SECOND / 2);
  }

  @Test
  void aCallOfMoreThanTheBurstWaitsForAFullBucketOnlyAndLeavesADebt() {
    bucket.take(3);
    assertThat(bucket.shortfall(1000)).as("5 there, 3 to a full bucket").isEqualTo(3 * SECOND / 2);
    now.addAndGet(3 * SECOND / 2);
    assertThat(bucket.shortfall(1000)).isZero();
    bucket.take(10);
    assertThat(bucket.shortfall(1)).as("-2 after it: 3 tokens to 1").isEqualTo(3 * SECOND / 2);
  }

  @Test
  void tokensRefillWhileNobodyCallsUpToTheBurstNotBeyond() {
    bucket.take(8);
    now.addAndGet(100 * SECOND);
    bucket.take(8);
    assertThat(bucket.shortfall(1)).isEqualTo(SECOND / 2);
  }

  @Test
  void waitingExactlyTheShortfallIsEnoughDespiteRounding() {
    TokenBucket odd = new TokenBucket(4, 1.8, now::get);
    odd.take(4);
    for (int n = 0; n < 50; n++) {
      long wait = odd.shortfall(1);
      assertThat(wait).isCloseTo(555_555_556L, within(2L));
      now.addAndGet(wait);
      assertThat(odd.shortfall(1)).isZero();
      odd.take(1);
    }
  }

  @Test
  void aThrottleHalvesTheRateOnceASecondDownToATenthAndSuccessesBringItBack() {
    bucket.throttled();
    assertThat(bucket.rate()).isEqualTo(1);
    bucket.throttled();
    assertThat(bucket.rate()).as("throttles within a second are one congestion").isEqualTo(1);
    for (int n = 0; n < 9; n++) {
      now.addAndGet(SECOND);
      bucket.throttled();
    }
    assertThat(bucket.rate()).as("floor: a tenth").isCloseTo(0.2, within(1e-9));
    for (int n = 0; n < 100; n++) {
      bucket.succeeded();
    }
    assertThat(bucket.rate()).as("back to the ceiling, not beyond").isEqualTo(2);
  }

  @Test
  void aSlowedBucketMakesCallersWaitLonger() {
    bucket.take(8);
    bucket.throttled();
    assertThat(bucket.shortfall(1)).isEqualTo(SECOND);
  }

  @Test
  void aBucketNeedsABurstAndARate() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, 0, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
