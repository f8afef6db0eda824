package dev.serverfleet.operator.cloud;

import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The calls of one action class waiting for its bucket: the thin blocking part around {@link
 * FairQueue} (the order) and {@link TokenBucket} (the arithmetic). A call joins the queue; when it
 * is the head and its tokens are there it takes them and goes, else it waits on a condition, timed
 * to when its tokens will be there (the head) or until the head goes (the others). A call with its
 * tokens there and nobody waiting goes at once. RunInstances' class has a second bucket, of
 * instances: a call goes when both have what it needs, and weighs as many instances as it launches.
 */
final class BucketQueue {
  /**
   * How a call waits: on the condition, at most {@code nanos} ({@link Long#MAX_VALUE}: no bound).
   */
  @FunctionalInterface
  interface Waiter {
    void await(Condition changed, long nanos) throws InterruptedException;
  }

  /** Production: a timed wait, and never longer than a second, in case a signal is missed. */
  static final Waiter TIMED =
      (changed, nanos) -> changed.awaitNanos(Math.min(nanos, 1_000_000_000L));

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final FairQueue queue = new FairQueue();
  private final TokenBucket requests;
  private final Optional<TokenBucket> instances;
  private final LongSupplier nanos;
  private final Waiter waiter;

  BucketQueue(
      TokenBucket requests, Optional<TokenBucket> instances, LongSupplier nanos, Waiter waiter) {
    this.requests = requests;
    this.instances = instances;
    this.nanos = nanos;
    this.waiter = waiter;
  }

  /**
   * Waits for this caller's turn and tokens, and takes them; returns how long it waited (on the
   * injected clock).
   *
   * @param count instances the call launches (1 for every other call)
   */
  long acquire(String caller, int count) throws InterruptedException {
    long start = nanos.getAsLong();
    lock.lock();
    try {
      FairQueue.Ticket ticket = queue.enqueue(caller, instances.isPresent() ? count : 1);
      try {
        for (long wait = waitFor(ticket, count); wait > 0; wait = waitFor(ticket, count)) {
          waiter.await(changed, wait);
        }
      } catch (InterruptedException | RuntimeException e) {
        queue.cancelled(ticket);
        changed.signalAll();
        throw e;
      }
      requests.take(1);
      instances.ifPresent(b -> b.take(count));
      queue.granted(ticket);
      changed.signalAll(); // the next head looks at its tokens
    } finally {
      lock.unlock();
    }
    return nanos.getAsLong() - start;
  }

  /** Nanoseconds to wait before looking again: zero when the call may go now. */
  private long waitFor(FairQueue.Ticket ticket, int count) {
    if (!queue.isHead(ticket)) {
      return Long.MAX_VALUE;
    }
    long wait = requests.shortfall(1);
    return instances.map(b -> Math.max(wait, b.shortfall(count))).orElse(wait);
  }

  void throttled() {
    locked(
        () -> {
          requests.throttled();
          instances.ifPresent(TokenBucket::throttled);
        });
  }

  void succeeded() {
    locked(
        () -> {
          requests.succeeded();
          instances.ifPresent(TokenBucket::succeeded);
        });
  }

  /** Calls waiting their turn or their tokens now. */
  int waiting() {
    lock.lock();
    try {
      return queue.waiting();
    } finally {
      lock.unlock();
    }
  }

  /** Every waiting call looks again (tests: after moving their clock). */
  void wakeAll() {
    locked(changed::signalAll);
  }

  private void locked(Runnable action) {
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }
}
