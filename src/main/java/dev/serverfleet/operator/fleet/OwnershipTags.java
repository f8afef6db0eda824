package dev.serverfleet.operator.fleet;

import java.util.List;

/** The tag keys by which the operator recognises the instances it owns. */
public final class OwnershipTags {
  public static final String PREFIX = "serverfleet.dev/";

  /** The operator's cluster name: instances without this operator's value are never touched. */
  public static final String CLUSTER = PREFIX + "cluster";

  /** {@code <namespace>/<name>} of the owning ServerFleet, for people and for cost reports. */
  public static final String FLEET = PREFIX + "fleet";

  /**
   * The owning ServerFleet's uid: a recreated fleet of the same name does not inherit instances.
   */
  public static final String FLEET_UID = PREFIX + "fleet-uid";

  /** Hash of the launch template the instance was launched from. */
  public static final String REVISION = PREFIX + "revision";

  /** Client token of the launch intent that created the instance. */
  public static final String LAUNCH = PREFIX + "launch";

  /**
   * Set to {@code true} by a person on an instance to keep it out of scale-in and rollouts (like
   * Auto Scaling's scale-in protection). Never set by the operator.
   */
  public static final String PROTECTED = PREFIX + "protected";

  /** EC2 console name. */
  public static final String NAME = "Name";

  /** Tags removed when a fleet with deletionPolicy Retain lets its instances go. */
  public static final List<String> OWNERSHIP_KEYS =
      List.of(CLUSTER, FLEET, FLEET_UID, REVISION, LAUNCH);

  private OwnershipTags() {}
}
