package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Callers blocking for their turn, on a clock only the test moves: threads wait until granted, the
 * test moves the clock by just enough for one grant and wakes them, and checks who went. Nothing
 * here depends on how fast the machine is: each step waits (polling) for a state the arithmetic
 * says must come, and asserts on the order of grants, never on durations.
 */
class BucketQueueTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(SECOND);
  private final List<String> granted = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /** Waiters block until woken: only the test moves time, and then wakes them. */
  private final BucketQueue.Waiter untilWoken = (changed, nanos) -> changed.await();

  @AfterEach
  void stopThreads() throws InterruptedException {
    for (Thread t : threads) {
      t.interrupt();
      t.join(10_000);
    }
  }

  /** RunInstances' shape: plenty of requests, 10 instances refilled at 1 a second. */
  private BucketQueue runQueue() {
    return new BucketQueue(
        new TokenBucket(1000, 1000, now::get),
        Optional.of(new TokenBucket(10, 1, now::get)),
        now::get,
        untilWoken);
  }

  /** A caller's call on its own thread; returns once it waits in the queue (or went). */
  private void call(BucketQueue queue, String caller, int count, int waitingAfter) {
    Thread t =
        new Thread(
            () -> {
              try {
                queue.acquire(caller, count);
                granted.add(caller + ":" + count);
              } catch (InterruptedException e) {
                granted.add(caller + ":interrupted");
              }
            },
            caller);
    threads.add(t);
    t.start();
    awaitState(queue::waiting, waitingAfter);
  }

  /** Moves the clock and wakes the waiters; returns once {@code grants} calls went in all. */
  private void advance(BucketQueue queue, long nanos, int grants) {
    now.addAndGet(nanos);
    queue.wakeAll();
    awaitState(granted::size, grants);
  }

  private static void awaitState(IntSupplier actual, int expected) {
    long deadline = System.nanoTime() + 30 * SECOND;
    while (actual.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + expected + ", still " + actual.getAsInt());
      }
      try {
        Thread.sleep(1); // polling for a state, not waiting for a time
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void aCallWithItsTokensThereAndNobodyWaitingGoesAtOnceWithoutWaiting() throws Exception {
    BucketQueue queue =
        new BucketQueue(
            new TokenBucket(4, 1, now::get),
            Optional.empty(),
            now::get,
            (changed, nanos) -> {
              throw new AssertionError("waited " + nanos);
            });
    for (int n = 0; n < 4; n++) {
      assertThat(queue.acquire("shop/web", 1)).isZero();
    }
  }

  @Test
  void smallFleetsBehindABigLaunchGoFirstAndTheBigOneGoesWhenItsTurnAndTokensCome()
      throws Exception {
    BucketQueue queue = runQueue();
    queue.acquire("big", 10); // the bucket is empty now
    call(queue, "big", 250, 1); // more than the burst: waits for a full bucket
    call(queue, "small-a", 3, 2);
    call(queue, "small-b", 3, 3);
    call(queue, "small-c", 3, 4);

    advance(queue, 3 * SECOND, 1);
    assertThat(granted).containsExactly("small-a:3");
    advance(queue, 3 * SECOND, 2);
    advance(queue, 3 * SECOND, 3);
    assertThat(granted).containsExactly("small-a:3", "small-b:3", "small-c:3");
    assertThat(queue.waiting()).isEqualTo(1);

    call(queue, "small-d", 1, 2); // arrives while the big one waits: tag 14
    advance(queue, SECOND, 4);
    assertThat(granted.get(3)).as("tag 14 < 260: the small one first").isEqualTo("small-d:1");
    advance(queue, 10 * SECOND, 5);
    assertThat(granted.get(4)).as("a full bucket: the big launch goes").isEqualTo("big:250");
    assertThat(queue.waiting()).isZero();
  }

  @Test
  void aBigLaunchWhoseTurnHasComeIsNotOvertakenBySmallOnes() throws Exception {
    BucketQueue queue = runQueue();
    queue.acquire("small", 10); // virtual time 10, bucket empty
    call(queue, "big", 20, 1); // tag 30; more than the burst: waits for a full bucket
    for (int n = 0; n < 6; n++) {
      call(queue, "small-" + n, 3, 2); // tags 13, 16, ..., 28
      advance(queue, 3 * SECOND, n + 1);
    }
    call(queue, "small-6", 3, 2); // tag 31: after the big one's 30
    advance(queue, 10 * SECOND, 7);
    assertThat(granted)
        .as("tags 13 to 28 went first, then the big launch, with a full bucket")
        .containsExactly(
            "small-0:3", "small-1:3", "small-2:3", "small-3:3", "small-4:3", "small-5:3", "big:20");
    assertThat(queue.waiting()).isEqualTo(1);
    advance(queue, 13 * SECOND, 8); // it took 20 of 10: 10 owed, then 3
    assertThat(granted.get(7)).isEqualTo("small-6:3");
  }

  @Test
  void oneFleetsCallsKeepTheirOrderAndAnotherFleetTakesTurns() throws Exception {
    BucketQueue queue =
        new BucketQueue(new TokenBucket(1, 1, now::get), Optional.empty(), now::get, untilWoken);
    queue.acquire("operator", 1);
    call(queue, "shop/a", 1, 1);
    call(queue, "shop/a", 1, 2);
    call(queue, "shop/a", 1, 3);
    call(queue, "shop/b", 1, 4);
    for (int n = 1; n <= 4; n++) {
      advance(queue, SECOND, n);
    }
    assertThat(granted).containsExactly("shop/a:1", "shop/b:1", "shop/a:1", "shop/a:1");
  }

  @Test
  void aCallerThatGivesUpLeavesTheQueueAndTheNextOneGoes() throws Exception {
    BucketQueue queue = runQueue();
    queue.acquire("x", 10);
    call(queue, "first", 5, 1);
    call(queue, "second", 5, 2);
    threads.get(0).interrupt();
    awaitState(granted::size, 1);
    assertThat(granted).containsExactly("first:interrupted");
    assertThat(queue.waiting()).isEqualTo(1);
    advance(queue, 5 * SECOND, 2);
    assertThat(granted.get(1)).isEqualTo("second:5");
  }

  @Test
  void theLimitsNameCallersByTheScopeOfTheThreadMakingTheCall() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Ec2RateLimits limits =
        new Ec2RateLimits(
            registry, Ec2Buckets.parse("describe=1/1").orElseThrow(), now::get, untilWoken);
    limits.acquire("DescribeInstances"); // the operator's: the bucket is empty now
    List<String> order = new CopyOnWriteArrayList<>();
    IntSupplier waiting = () -> limits.waiting(Ec2RateLimits.ActionClass.DESCRIBE);
    for (String caller : List.of("shop/a", "shop/a", "shop/b")) {
      Thread t =
          new Thread(
              () ->
                  Ec2RateLimits.callingAs(
                      caller,
                      () -> {
                        limits.acquire("DescribeInstances");
                        return order.add(caller);
                      }));
      threads.add(t);
      t.start();
      awaitState(waiting, threads.size());
    }
    assertThat(
            registry.get("serverfleet.ec2.rate.waiting").tag("class", "describe").gauge().value())
        .isEqualTo(3);
    for (int n = 1; n <= 3; n++) {
      now.addAndGet(SECOND * 10 / 9 + 1); // one token at 0.9 per second
      limits.wakeAll();
      awaitState(order::size, n);
    }
    assertThat(order)
        .as("b's first call before a's second")
        .containsExactly("shop/a", "shop/b", "shop/a");
  }
}
