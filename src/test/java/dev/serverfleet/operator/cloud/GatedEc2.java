package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * TerminateInstances that records each call, holds the first one (and, when asked, the second)
 * until released, refuses the calls {@link #refuse} names, and answers ids starting with {@code
 * i-gone} as unknown; counts how many calls were in it at once. For {@link TerminationBatcherTest}:
 * untag and describeByIds answer trivially, to show they pass through; the rest is not used.
 */
final class GatedEc2 implements Ec2Port {
  final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
  final CountDownLatch firstEntered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch secondEntered = new CountDownLatch(1);
  final CountDownLatch releaseSecond = new CountDownLatch(1);
  volatile boolean holdFirstCall = true;
  volatile boolean holdSecondCall;
  volatile Function<List<String>, CloudException> refuse = ids -> null;
  volatile Thread secondSender;
  private final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger mostInFlight = new AtomicInteger();

  @Override
  public BatchResult terminate(Collection<String> instanceIds) {
    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      return answer(List.copyOf(instanceIds));
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private BatchResult answer(List<String> ids) {
    calls.add(ids);
    if (calls.size() == 1 && holdFirstCall) {
      firstEntered.countDown();
      awaitQuietly(release);
    } else if (calls.size() == 2 && holdSecondCall) {
      secondSender = Thread.currentThread();
      secondEntered.countDown();
      awaitQuietly(releaseSecond);
    }
    CloudException refused = refuse.apply(ids);
    if (refused != null) {
      throw refused;
    }
    return new BatchResult(
        ids.stream().filter(id -> !id.startsWith("i-gone")).toList(),
        ids.stream().filter(id -> id.startsWith("i-gone")).toList());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys) {
    return new BatchResult(List.copyOf(instanceIds), List.of());
  }

  @Override
  public List<Instance> describeByIds(Collection<String> instanceIds) {
    return List.of();
  }

  @Override
  public List<Instance> describeOwned(String clusterName) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Map<String, Health> describeHealth(Collection<String> instanceIds) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Instance> runInstances(LaunchRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Instance> describeLaunch(String clusterName, String clientToken) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<String> existingImages(Collection<String> amiIds) {
    throw new UnsupportedOperationException();
  }
}
