package dev.serverfleet.operator.fleet;

/** EC2's verdict on an instance's instance and system status checks, folded into one. */
public enum Health {
  /** Both checks pass. */
  OK,
  /** At least one check fails. */
  IMPAIRED,
  /** Checks are still running, typically in the first minutes after launch. */
  INITIALIZING,
  /** Not known: not running, not checked, or EC2 has no data. */
  UNKNOWN;

  /** Folds EC2's two summary statuses ({@code ok}, {@code impaired}, {@code initializing}, ...). */
  public static Health of(String instanceStatus, String systemStatus) {
    if ("impaired".equals(instanceStatus) || "impaired".equals(systemStatus)) {
      return IMPAIRED;
    }
    if ("ok".equals(instanceStatus) && "ok".equals(systemStatus)) {
      return OK;
    }
    if ("initializing".equals(instanceStatus) || "initializing".equals(systemStatus)) {
      return INITIALIZING;
    }
    return UNKNOWN;
  }
}
