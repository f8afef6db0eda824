package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher over a port whose first TerminateInstances is held until the test lets it go: while
 * it is held, other callers queue, and the test sees exactly which calls reached the port. No test
 * here waits for time to pass.
 */
class TerminationBatcherTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30); // a bound, never a wait

  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatedEc2 port = new GatedEc2();
  private TerminationBatcher batcher = new TerminationBatcher(port, registry);

  @AfterEach
  void stopThreads() {
    port.release.countDown();
    port.releaseSecond.countDown();
    threads.forEach(Thread::interrupt);
  }

  @Test
  void aLoneCallerGoesAtOnceWithItsOwnIds() {
    port.holdFirstCall = false;

    BatchResult result = batcher.terminate(List.of("i-a", "i-b", "i-a"));

    assertThat(result).isEqualTo(new BatchResult(List.of("i-a", "i-b"), List.of()));
    assertThat(port.calls).containsExactly(List.of("i-a", "i-b"));
    assertThat(summary("callers").count()).isEqualTo(1);
    assertThat(registry.get("serverfleet.ec2.terminate.batch.waited").counter().count()).isZero();
    assertThat(batcher.terminate(List.of())).isEqualTo(BatchResult.NONE);
    assertThat(port.calls).hasSize(1);
  }

  @Test
  void callersArrivingWhileACallIsInFlightGoTogetherInTheNextCall() throws Exception {
    var first = inFlight(List.of("i-a1", "i-a2"));
    var b = queued(List.of("i-b1", "i-gone-b"));
    var c = queued(List.of("i-c1"));
    var d = queued(List.of("i-d1", "i-d2"));

    port.release.countDown();

    assertThat(first.get().applied()).containsExactly("i-a1", "i-a2");
    assertThat(b.get()).isEqualTo(new BatchResult(List.of("i-b1"), List.of("i-gone-b")));
    assertThat(c.get()).isEqualTo(new BatchResult(List.of("i-c1"), List.of()));
    assertThat(d.get()).isEqualTo(new BatchResult(List.of("i-d1", "i-d2"), List.of()));
    assertThat(port.calls)
        .containsExactly(
            List.of("i-a1", "i-a2"), List.of("i-b1", "i-gone-b", "i-c1", "i-d1", "i-d2"));
    assertThat(port.mostInFlight).as("calls in flight at once").hasValue(1);
    assertThat(summary("callers").count()).isEqualTo(2);
    assertThat(summary("callers").max()).isEqualTo(3);
    assertThat(summary("ids").totalAmount()).isEqualTo(7);
    assertThat(registry.get("serverfleet.ec2.terminate.batch.waited").counter().count())
        .isEqualTo(3);
  }

  @Test
  void aCallTakesNoMoreIdsThanEc2AllowsAndTheRestGoInTheCallAfter() throws Exception {
    batcher = new TerminationBatcher(port, registry, 4);
    var first = inFlight(List.of("i-a"));
    var b = queued(List.of("i-b1", "i-b2"));
    var c = queued(List.of("i-c1", "i-c2"));
    var d = queued(List.of("i-d1"));

    port.release.countDown();

    for (var f : List.of(first, b, c, d)) {
      f.get();
    }
    assertThat(port.calls)
        .containsExactly(List.of("i-a"), List.of("i-b1", "i-b2", "i-c1", "i-c2"), List.of("i-d1"));
  }

  @Test
  void aMergedCallEc2RefusesIsSentAgainPerCallerSoOnlyTheCallerAtFaultFails() throws Exception {
    // An IAM condition on a tag of one fleet's instance refuses the whole call naming it.
    port.refuse =
        ids ->
            ids.contains("i-protected")
                ? ErrorClassifier.fromCode(
                    "TerminateInstances",
                    "UnauthorizedOperation",
                    "You are not authorized to perform this operation.",
                    403)
                : null;
    var first = inFlight(List.of("i-a"));
    var b = queued(List.of("i-b1"));
    var c = queued(List.of("i-c1", "i-protected"));
    var d = queued(List.of("i-d1"));

    port.release.countDown();

    first.get();
    assertThat(b.get().applied()).containsExactly("i-b1");
    assertThat(d.get().applied()).containsExactly("i-d1");
    assertThatThrownBy(c::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.code()).isEqualTo("UnauthorizedOperation"));
    assertThat(port.calls)
        .containsExactly(
            List.of("i-a"),
            List.of("i-b1", "i-c1", "i-protected", "i-d1"),
            List.of("i-b1"),
            List.of("i-c1", "i-protected"),
            List.of("i-d1"));
    assertThat(registry.get("serverfleet.ec2.terminate.batch.split").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aThrottledMergedCallFailsEveryCallerInItWithoutMoreCalls() throws Exception {
    port.refuse =
        ids ->
            ids.size() > 1
                ? ErrorClassifier.fromCode(
                    "TerminateInstances", "RequestLimitExceeded", "Request limit exceeded.", 503)
                : null;
    var first = inFlight(List.of("i-a"));
    var b = queued(List.of("i-b1"));
    var c = queued(List.of("i-c1"));

    port.release.countDown();

    first.get();
    for (var f : List.of(b, c)) {
      assertThatThrownBy(f::get)
          .cause()
          .isInstanceOfSatisfying(
              CloudException.class,
              e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.THROTTLED));
    }
    assertThat(port.calls).containsExactly(List.of("i-a"), List.of("i-b1", "i-c1"));
  }

  @Test
  void aCallerInterruptedWhileQueuedLeavesAtOnceAndItsIdsAreNeverSent() throws Exception {
    var first = inFlight(List.of("i-a"));
    var b = queued(List.of("i-b1"));

    b.thread.interrupt();

    assertThatThrownBy(b::get)
        .cause()
        .isInstanceOfSatisfying(
            CloudException.class,
            e -> {
              assertThat(e.code()).isEqualTo("Interrupted");
              assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
            });
    assertThat(b.interruptedAfter).as("interrupt status kept").isTrue();
    assertThat(batcher.waiting()).isZero();
    port.release.countDown();
    first.get();
    assertThat(batcher.terminate(List.of("i-c1")).applied()).containsExactly("i-c1");
    assertThat(port.calls).containsExactly(List.of("i-a"), List.of("i-c1"));
  }

  @Test
  void aCallerInterruptedWhileItsIdsAreInFlightLeavesAndTheCallGoesOn() throws Exception {
    var first = inFlight(List.of("i-a"));
    var b = queued(List.of("i-b1"));
    var c = queued(List.of("i-c1"));
    port.holdSecondCall = true;
    port.release.countDown();
    first.get();
    assertThat(port.secondEntered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // one of b and c sends the merged call on its thread; the other only waits for it
    Running sender = port.secondSender == b.thread ? b : c;
    Running rider = sender == b ? c : b;

    rider.thread.interrupt();

    assertThatThrownBy(rider::get)
        .cause()
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.code()).isEqualTo("Interrupted"));
    assertThat(sender.task.isDone()).isFalse();
    port.releaseSecond.countDown();
    assertThat(sender.get().applied()).hasSize(1);
    assertThat(port.calls).containsExactly(List.of("i-a"), List.of("i-b1", "i-c1"));
  }

  @Test
  void everyOtherCallGoesStraightThrough() {
    port.holdFirstCall = false;
    assertThat(batcher.describeByIds(List.of("i-a"))).isEmpty();
    assertThat(batcher.untag(List.of("i-a"), List.of("k")).applied()).containsExactly("i-a");
    assertThat(port.calls).isEmpty();
  }

  /** A caller on its own thread. */
  private final class Running {
    final FutureTask<BatchResult> task;
    final Thread thread;
    volatile boolean interruptedAfter;

    Running(List<String> ids) {
      task =
          new FutureTask<>(
              () -> {
                try {
                  return batcher.terminate(ids);
                } finally {
                  interruptedAfter = Thread.currentThread().isInterrupted();
                }
              });
      thread = new Thread(task, "caller " + ids);
      threads.add(thread);
      thread.start();
    }

    /** Its answer; a bound, never a wait for time to pass. */
    BatchResult get() throws Exception {
      return task.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Starts a caller and returns once its call is held at the port. */
  private Running inFlight(List<String> ids) throws InterruptedException {
    var r = new Running(ids);
    assertThat(port.firstEntered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return r;
  }

  /** Starts a caller and returns once it waits in the batcher's queue. */
  private Running queued(List<String> ids) {
    int before = batcher.waiting();
    var r = new Running(ids);
    await().atMost(PATIENCE).until(() -> batcher.waiting() == before + 1);
    return r;
  }

  private DistributionSummary summary(String what) {
    return registry.get("serverfleet.ec2.terminate.batch." + what).summary();
  }
}
