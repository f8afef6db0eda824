package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Terminations of every fleet in as few TerminateInstances calls as EC2 allows, group-commit style.
 * Every fleet's reconcile terminates its own instances; when many fleets scale down, roll out or
 * are deleted at once, one call per fleet would drain EC2's TerminateInstances bucket (100 calls, 5
 * per second) where a call may name 1,000 instances.
 *
 * <p>At most one {@link #terminate} call of this port is in flight below it at a time. A caller
 * that finds none in flight sends its ids at once (alone: no timer, no added latency). Callers that
 * arrive while one is in flight (it may be waiting for a token of the client's rate limits, {@link
 * Ec2RateLimits}, which is exactly when merging pays) queue, and the next call sends the queued
 * callers' ids together: as many callers, in arrival order, as fit in {@value AwsEc2#MAX_BATCH} ids
 * ({@link TerminationBatches#take}); the rest wait for the call after. The call is made on the
 * thread of one of the callers it carries, so there is no thread of its own to start or stop. Each
 * caller gets the {@link BatchResult} of its own ids, as if it had called alone: unknown ids are
 * left out by the port below exactly as for a lone call, so one fleet's long-gone instance never
 * blocks another's.
 *
 * <p><b>Failures.</b> When EC2 definitely refuses a merged call (UnauthorizedOperation for one
 * fleet's instance under an IAM tag condition, OperationNotPermitted for a protected one, a bad
 * parameter), nothing was terminated, and the fault may be one caller's: each caller's ids are sent
 * again on their own, so only the caller at fault fails. A throttle, a 5xx or a lost answer is not
 * one fleet's problem (and the call may have taken effect): every caller of the call gets it, and
 * retries with the same ids as {@link Ec2Port#terminate} says ({@link
 * TerminationBatches#retryEachAlone}).
 *
 * <p><b>Interrupts.</b> A caller interrupted while it waits stops waiting at once, with its
 * interrupt status kept, and gets a {@link ErrorClass#TRANSIENT} {@link CloudException}: if its ids
 * had not been sent yet they never will be; if they were in the call in flight, that call goes on
 * and the outcome is unknown to this caller (retrying with the same ids is safe). A caller never
 * waits for anything but a call in flight on another caller's thread, which always ends (the SDK's
 * timeouts), so stopping the operator never leaves a caller hanging here.
 *
 * <p>Metrics: {@code serverfleet_ec2_terminate_batch_callers} (callers per merged call) and {@code
 * serverfleet_ec2_terminate_batch_ids} (ids per merged call), distribution summaries; {@code
 * serverfleet_ec2_terminate_batch_split_total} (merged calls refused and sent again caller by
 * caller) and {@code serverfleet_ec2_terminate_batch_waited_total} (callers that found a call in
 * flight and queued: the contention that merging turns into fewer calls). Every other method goes
 * straight to the port below. Wrap the timed port ({@link InstrumentedEc2}) with this one, so that
 * its counts are of the calls really made.
 */
public final class TerminationBatcher implements Ec2Port {
  private static final String OPERATION = "TerminateInstances";

  private final Ec2Port delegate;
  private final int maxIds;
  private final DistributionSummary callersPerCall;
  private final DistributionSummary idsPerCall;
  private final Counter splits;
  private final Counter waited;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition callEnded = lock.newCondition();
  private final ArrayDeque<Caller> queue = new ArrayDeque<>(); // guarded by lock
  private boolean inFlight; // guarded by lock

  public TerminationBatcher(Ec2Port delegate, MeterRegistry registry) {
    this(delegate, registry, AwsEc2.MAX_BATCH);
  }

  TerminationBatcher(Ec2Port delegate, MeterRegistry registry, int maxIds) {
    this.delegate = delegate;
    this.maxIds = maxIds;
    this.callersPerCall =
        DistributionSummary.builder("serverfleet.ec2.terminate.batch.callers")
            .description("Callers whose terminations went in one merged TerminateInstances")
            .register(registry);
    this.idsPerCall =
        DistributionSummary.builder("serverfleet.ec2.terminate.batch.ids")
            .description("Instance ids in one merged TerminateInstances")
            .register(registry);
    this.splits =
        Counter.builder("serverfleet.ec2.terminate.batch.split")
            .description("Merged TerminateInstances refused and sent again caller by caller")
            .register(registry);
    this.waited =
        Counter.builder("serverfleet.ec2.terminate.batch.waited")
            .description(
                "Callers that found a TerminateInstances in flight and queued for the next")
            .register(registry);
  }

  /**
   * One caller's ids and, once its call ended, what it gets: written by the sending thread before
   * it takes the lock to mark the call ended, read by the caller after it saw {@code done} under
   * the lock.
   */
  private static final class Caller {
    final List<String> ids;
    BatchResult result;
    CloudException failure;
    Throwable error;
    boolean queued; // guarded by lock
    boolean done; // guarded by lock

    Caller(List<String> ids) {
      this.ids = ids;
    }

    BatchResult outcome() {
      if (failure != null) {
        throw failure;
      }
      if (error instanceof Error e) {
        throw e;
      }
      if (error != null) {
        throw (RuntimeException) error;
      }
      return result;
    }
  }

  @Override
  public BatchResult terminate(Collection<String> instanceIds) {
    List<String> ids = instanceIds.stream().distinct().toList();
    if (ids.isEmpty()) {
      return BatchResult.NONE;
    }
    Caller me = new Caller(ids);
    while (true) {
      List<Caller> call = nextCallOrDone(me);
      if (call.isEmpty()) {
        return me.outcome();
      }
      try {
        send(call);
      } finally {
        endCall(call);
      }
    }
  }

  /**
   * Under the lock: queues {@code me} (first time), waits until its call ended (returns empty) or
   * no call is in flight (returns the callers of the next call, marked in flight: the caller sends
   * it).
   */
  private List<Caller> nextCallOrDone(Caller me) {
    lock.lock();
    try {
      if (!me.queued) {
        me.queued = true;
        queue.add(me);
        if (inFlight) {
          waited.increment();
        }
      }
      while (!me.done && inFlight) {
        try {
          callEnded.await();
        } catch (InterruptedException e) {
          queue.remove(me); // not sent yet: never will be; in flight: the call goes on
          Thread.currentThread().interrupt();
          throw new CloudException(
              OPERATION,
              ErrorClass.TRANSIENT,
              "Interrupted",
              "interrupted while waiting for a merged TerminateInstances",
              e);
        }
      }
      if (me.done) {
        return List.of();
      }
      int n = TerminationBatches.take(queue.stream().map(c -> c.ids.size()).toList(), maxIds);
      List<Caller> call = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        call.add(queue.poll());
      }
      inFlight = true;
      return call;
    } finally {
      lock.unlock();
    }
  }

  /** Callers queued for a call that has not started yet (tests). */
  int waiting() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void endCall(List<Caller> call) {
    lock.lock();
    try {
      call.forEach(c -> c.done = true);
      inFlight = false;
      callEnded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Sends one merged call and gives every caller in it its outcome; throws nothing. */
  private void send(List<Caller> call) {
    List<String> merged = TerminationBatches.merge(call.stream().map(c -> c.ids).toList());
    callersPerCall.record(call.size());
    idsPerCall.record(merged.size());
    try {
      BatchResult answer = delegate.terminate(merged);
      call.forEach(c -> c.result = TerminationBatches.forCaller(answer, c.ids));
    } catch (CloudException e) {
      if (TerminationBatches.retryEachAlone(e, call.size())) {
        splits.increment();
        call.forEach(this::sendAlone);
      } else {
        call.forEach(c -> c.failure = e);
      }
    } catch (RuntimeException | Error e) {
      call.forEach(c -> c.error = e);
    }
  }

  private void sendAlone(Caller c) {
    try {
      c.result = delegate.terminate(c.ids);
    } catch (CloudException e) {
      c.failure = e;
    } catch (RuntimeException | Error e) {
      c.error = e;
    }
  }

  @Override
  public List<Instance> describeOwned(String clusterName) {
    return delegate.describeOwned(clusterName);
  }

  @Override
  public Map<String, Health> describeHealth(Collection<String> instanceIds) {
    return delegate.describeHealth(instanceIds);
  }

  @Override
  public List<Instance> describeByIds(Collection<String> instanceIds) {
    return delegate.describeByIds(instanceIds);
  }

  @Override
  public List<Instance> runInstances(LaunchRequest request) {
    return delegate.runInstances(request);
  }

  @Override
  public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
    return delegate.untag(instanceIds, tagKeys);
  }

  @Override
  public List<Instance> describeLaunch(String clusterName, String clientToken) {
    return delegate.describeLaunch(clusterName, clientToken);
  }

  @Override
  public Set<String> existingImages(Collection<String> amiIds) {
    return delegate.existingImages(amiIds);
  }
}
