package dev.serverfleet.operator.planning;

/** One instance to terminate, and why. */
public record Termination(String instanceId, String subnetId, Reason reason) {

  public enum Reason {
    /** The fleet has more instances than desired. */
    SCALE_IN,
    /** The instance was stopped (by a person, or by EC2) and cannot serve: replace it. */
    STOPPED,
    /** The instance fails EC2 status checks past its grace period: replace it. */
    UNHEALTHY,
    /** The instance runs an older template revision and a rollout replaces it. */
    ROLLOUT,
    /**
     * AWS will take the instance (spot interruption, scheduled change, rebalance recommendation),
     * and its replacement is available or the maintenance policy lets it go first.
     */
    INTERRUPTED
  }
}
