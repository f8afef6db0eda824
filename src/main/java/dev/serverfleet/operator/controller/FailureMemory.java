package dev.serverfleet.operator.controller;

/**
 * What the operator remembers between reconciles about failing EC2 calls, per fleet uid, in memory:
 * terminal refusals hold launches, capacity shortages steer launches to other subnets, retryable
 * failures space the passes.
 */
record FailureMemory(LaunchHolds holds, SubnetAvoidance avoidance, RetryBackoff retries) {
  FailureMemory() {
    this(new LaunchHolds(), new SubnetAvoidance(), new RetryBackoff());
  }

  /** The fleet is gone. */
  void forget(String uid) {
    holds.forget(uid);
    avoidance.forget(uid);
    retries.forget(uid);
  }
}
