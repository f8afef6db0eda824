package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The decisions of {@link TerminationBatcher}, pure: which queued callers go together in the next
 * TerminateInstances, what each of them gets back of the merged answer, and when a failed merged
 * call is sent again caller by caller.
 */
final class TerminationBatches {
  private TerminationBatches() {}

  /**
   * How many callers at the head of the queue go in the next call: in arrival order, as many as fit
   * in {@code maxIds} together, and always the first, even alone over {@code maxIds} (the port
   * below splits it into calls of {@code maxIds}). The first caller that does not fit waits for the
   * next call, and so do those behind it: no caller is overtaken.
   *
   * @param queuedSizes the number of distinct ids of each queued caller, in arrival order
   * @return 0 for an empty queue, otherwise between 1 and {@code queuedSizes.size()}
   */
  static int take(List<Integer> queuedSizes, int maxIds) {
    if (queuedSizes.isEmpty()) {
      return 0;
    }
    int taken = 1;
    long ids = queuedSizes.get(0);
    while (taken < queuedSizes.size() && ids + queuedSizes.get(taken) <= maxIds) {
      ids += queuedSizes.get(taken);
      taken++;
    }
    return taken;
  }

  /** The distinct ids of all the callers, in their order: what one call sends. */
  static List<String> merge(List<? extends Collection<String>> callers) {
    Set<String> ids = new LinkedHashSet<>();
    callers.forEach(ids::addAll);
    return List.copyOf(ids);
  }

  /**
   * What one caller gets of a merged answer: the ids it asked for, applied or not found as EC2
   * answered for them, in the merged answer's order. An id two callers asked for is in both
   * answers.
   */
  static BatchResult forCaller(BatchResult merged, Collection<String> callerIds) {
    Set<String> mine = new HashSet<>(callerIds);
    return new BatchResult(
        merged.applied().stream().filter(mine::contains).toList(),
        merged.notFound().stream().filter(mine::contains).toList());
  }

  /**
   * Whether a failed call of several callers' ids is sent again for each caller on its own. Only
   * when EC2 definitely refused it ({@link CloudException#definitelyRefused()}: unauthorized,
   * termination protection, a bad parameter), which may be one caller's ids' doing and certainly
   * terminated nothing. A throttle, a 5xx or no answer is the account's or the network's, not one
   * caller's: every caller gets it, and separate calls would only add load to a struggling API.
   */
  static boolean retryEachAlone(CloudException failure, int callers) {
    return callers > 1 && failure.definitelyRefused();
  }
}
