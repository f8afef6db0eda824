package dev.serverfleet.operator.controller;

/**
 * What the operator remembers between reconciles about failing EC2 calls, in memory: per fleet uid,
 * terminal refusals hold launches, capacity shortages of a subnet steer launches to other subnets,
 * retryable failures space the passes; for every fleet alike, offerings out of capacity steer
 * launches to the next instance type ({@link UnavailableOfferings}).
 */
record FailureMemory(
    LaunchHolds holds,
    SubnetAvoidance avoidance,
    RetryBackoff retries,
    UnavailableOfferings offerings) {
  FailureMemory() {
    this(UnavailableOfferings.DEFAULT_TTL);
  }

  FailureMemory(java.time.Duration offeringTtl) {
    this(
        new LaunchHolds(),
        new SubnetAvoidance(),
        new RetryBackoff(),
        new UnavailableOfferings(offeringTtl));
  }

  /** The fleet is gone. */
  void forget(String uid) {
    holds.forget(uid);
    avoidance.forget(uid);
    retries.forget(uid);
  }
}
