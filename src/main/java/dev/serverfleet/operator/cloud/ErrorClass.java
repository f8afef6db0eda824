package dev.serverfleet.operator.cloud;

/** How the operator reacts to a failed EC2 call. */
public enum ErrorClass {
  /**
   * The request can never succeed as made (bad AMI, bad subnet, unauthorized, invalid parameter):
   * report Degraded with EC2's message and retry only slowly, after the spec or the account
   * changes.
   */
  TERMINAL,
  /** EC2 asked us to slow down: back off, the call had no effect. */
  THROTTLED,
  /** No capacity for this instance type in this subnet's zone now: try other subnets first. */
  INSUFFICIENT_CAPACITY,
  /**
   * A server error or no answer at all: the call may or may not have taken effect. Retry with the
   * same client token.
   */
  TRANSIENT
}
