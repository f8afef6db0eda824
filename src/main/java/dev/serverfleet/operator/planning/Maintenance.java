package dev.serverfleet.operator.planning;

/**
 * A fleet's instance maintenance policy, as Auto Scaling groups define it: while instances are
 * replaced because AWS will take them (interruption warnings, scheduled changes, rebalance
 * recommendations), healthy capacity stays at or above {@code minHealthyPercentage} of replicas and
 * the fleet, doomed instances included, stays at or below {@code maxHealthyPercentage}.
 *
 * <p>With a minimum of 100 a doomed instance is terminated only once its replacement is available
 * (launch before terminate); with a maximum of 100 no replacement is launched before a doomed
 * instance goes (terminate before launch, as far as the minimum allows).
 *
 * @param minHealthyPercentage 0..100
 * @param maxHealthyPercentage 100..200, at most 100 above the minimum, and not both 100
 */
public record Maintenance(int minHealthyPercentage, int maxHealthyPercentage) {
  /**
   * Launch before terminate, every doomed instance replaced at once: a spot warning leaves two
   * minutes, too short to replace a wave of interruptions one at a time (ASG's console preset for
   * launch-before-terminate is 100/110; the ASG maximum allowed is 200).
   */
  public static final Maintenance DEFAULT = new Maintenance(100, 200);

  public Maintenance {
    if (minHealthyPercentage < 0 || minHealthyPercentage > 100) {
      throw new IllegalArgumentException("minHealthyPercentage must be within 0..100");
    }
    if (maxHealthyPercentage < 100 || maxHealthyPercentage > 200) {
      throw new IllegalArgumentException("maxHealthyPercentage must be within 100..200");
    }
    if (maxHealthyPercentage - minHealthyPercentage > 100) {
      throw new IllegalArgumentException("maxHealthyPercentage - minHealthyPercentage exceeds 100");
    }
    if (minHealthyPercentage == 100 && maxHealthyPercentage == 100) {
      throw new IllegalArgumentException("100/100 allows neither launch nor terminate first");
    }
  }

  /** Available instances the fleet keeps while replacing doomed ones: rounded up. */
  public int minHealthy(int replicas) {
    return (replicas * minHealthyPercentage + 99) / 100;
  }

  /**
   * Live and launching instances, doomed ones included, the fleet may have while replacing: rounded
   * down, but at least one above replicas whenever the maximum is above 100 (as ASG does for small
   * groups), so that a fleet of one can still launch before it terminates.
   */
  public int maxTotal(int replicas) {
    int rounded = replicas * maxHealthyPercentage / 100;
    return maxHealthyPercentage > 100 ? Math.max(rounded, replicas + 1) : rounded;
  }
}
