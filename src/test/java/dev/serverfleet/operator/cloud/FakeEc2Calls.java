package dev.serverfleet.operator.cloud;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call log and the failure queue of {@link FakeEc2}: what was called, and what the next calls
 * of an operation must fail with. Not thread-safe; FakeEc2 guards it.
 */
final class FakeEc2Calls {
  private final Map<String, Deque<CloudException>> injected = new HashMap<>();
  private final Map<String, Integer> throttled = new HashMap<>();
  private final Map<String, Integer> calls = new HashMap<>();
  private final List<LaunchRequest> runRequests = new ArrayList<>();

  /**
   * Records {@code apiCalls} calls of {@code operation}, then fails if an error is queued (first)
   * or throttling is due.
   */
  void enter(String operation, int apiCalls) {
    calls.merge(operation, apiCalls, Integer::sum);
    Deque<CloudException> queued = injected.get(operation);
    if (queued != null && !queued.isEmpty()) {
      throw queued.poll();
    }
    int throttles = throttled.getOrDefault(operation, 0);
    if (throttles > 0) {
      throttled.put(operation, throttles - 1);
      throw ErrorClassifier.fromCode(
          operation, "RequestLimitExceeded", "Request limit exceeded.", 503);
    }
  }

  void recordRun(LaunchRequest request) {
    runRequests.add(request);
  }

  void throttleNext(String operation, int count) {
    throttled.merge(operation, count, Integer::sum);
  }

  void injectNext(String operation, CloudException error) {
    injected.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(error);
  }

  int calls(String operation) {
    return calls.getOrDefault(operation, 0);
  }

  List<LaunchRequest> runRequests() {
    return List.copyOf(runRequests);
  }

  void clearCalls() {
    calls.clear();
    runRequests.clear();
  }

  void clearFailures() {
    injected.clear();
    throttled.clear();
  }
}
