package dev.serverfleet.operator.fleet;

/**
 * An instance's state in one ELBv2 target group, as DescribeTargetHealth reports it ({@code
 * initial}, {@code healthy}, ...), with {@link #NOT_REGISTERED} for an instance the target group
 * does not hold.
 */
public enum TargetState {
  INITIAL,
  HEALTHY,
  UNHEALTHY,
  UNUSED,
  DRAINING,
  UNAVAILABLE,
  NOT_REGISTERED;

  /** Registered and not on its way out: nothing to register again. */
  public boolean registered() {
    return this == INITIAL || this == HEALTHY || this == UNHEALTHY || this == UNAVAILABLE;
  }

  /**
   * The fleet's reading of an instance's states across its target groups: OK when healthy in every
   * one; IMPAIRED when unhealthy in any; INITIALIZING while registering or otherwise not yet
   * healthy (not ready, never replaced for it before the grace period, as with status checks).
   */
  public static Health fold(Iterable<TargetState> states) {
    boolean all = true;
    for (TargetState s : states) {
      if (s == UNHEALTHY) {
        return Health.IMPAIRED;
      }
      all &= s == HEALTHY;
    }
    return all ? Health.OK : Health.INITIALIZING;
  }

  /** DescribeTargetHealth's state names; an unknown one counts as not registered. */
  public static TargetState of(String state) {
    if (state == null) {
      return NOT_REGISTERED;
    }
    return switch (state) {
      case "initial" -> INITIAL;
      case "healthy" -> HEALTHY;
      case "unhealthy" -> UNHEALTHY;
      case "unused" -> UNUSED;
      case "draining" -> DRAINING;
      case "unavailable" -> UNAVAILABLE;
      default -> NOT_REGISTERED;
    };
  }
}
