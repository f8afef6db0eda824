package dev.serverfleet.operator.planning;

/**
 * One RunInstances call to make.
 *
 * @param retry true when this re-issues an earlier intent with its own token (AWS returns the
 *     instances of the first call if there were any), false for a new intent
 * @param instanceType the type to launch ({@link InstanceTypeChoice}); a retry keeps its intent's
 *     type, since EC2 refuses a client token with other parameters. Null only for an intent
 *     recorded before intents named their type: it was launched with the fleet's preferred type.
 * @param capacityType on-demand or spot ({@link CapacityMix}); null: the fleet's capacity type (an
 *     intent recorded before intents named their market, or a plan that did not choose)
 */
public record Launch(
    String token,
    String subnetId,
    int count,
    String revision,
    boolean retry,
    String instanceType,
    String capacityType) {

  public Launch(
      String token,
      String subnetId,
      int count,
      String revision,
      boolean retry,
      String instanceType) {
    this(token, subnetId, count, revision, retry, instanceType, null);
  }

  /** The same launch in this market. */
  public Launch withCapacityType(String market) {
    return new Launch(token, subnetId, count, revision, retry, instanceType, market);
  }

  /** With the fleet's preferred type. */
  public Launch(String token, String subnetId, int count, String revision, boolean retry) {
    this(token, subnetId, count, revision, retry, null);
  }
}
