package dev.serverfleet.operator.fleet;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An EC2 instance as the operator sees it: the few attributes decisions need, no SDK types.
 *
 * @param launchTime may be null for an instance the cloud has not fully described yet
 * @param health status checks, {@link Health#UNKNOWN} unless the poller asked EC2
 * @param spot whether the instance is a Spot Instance (EC2's InstanceLifecycle spot), false for
 *     on-demand
 */
public record Instance(
    String id,
    InstanceState state,
    String imageId,
    String instanceType,
    String subnetId,
    String zone,
    String privateIp,
    Instant launchTime,
    Map<String, String> tags,
    Health health,
    boolean spot) {

  public Instance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    health = health == null ? Health.UNKNOWN : health;
  }

  /** An on-demand instance. */
  public Instance(
      String id,
      InstanceState state,
      String imageId,
      String instanceType,
      String subnetId,
      String zone,
      String privateIp,
      Instant launchTime,
      Map<String, String> tags,
      Health health) {
    this(
        id,
        state,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        tags,
        health,
        false);
  }

  public Instance(
      String id,
      InstanceState state,
      String imageId,
      String instanceType,
      String subnetId,
      String zone,
      String privateIp,
      Instant launchTime,
      Map<String, String> tags) {
    this(
        id,
        state,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        tags,
        Health.UNKNOWN);
  }

  public String tag(String key) {
    return tags.get(key);
  }

  /** True when the instance carries this operator's cluster tag and the given fleet uid. */
  public boolean ownedBy(String clusterName, String fleetUid) {
    return clusterName.equals(tag(OwnershipTags.CLUSTER))
        && fleetUid.equals(tag(OwnershipTags.FLEET_UID));
  }

  public Instance withState(InstanceState newState) {
    return new Instance(
        id,
        newState,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        tags,
        health,
        spot);
  }

  /**
   * The instance with these tags added (or replaced), as a person adding tags in EC2 would leave
   * it.
   */
  public Instance withTags(Map<String, String> added) {
    Map<String, String> merged = new java.util.HashMap<>(tags);
    merged.putAll(added);
    return new Instance(
        id,
        state,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        merged,
        health,
        spot);
  }

  /**
   * Tagged {@code serverfleet.dev/protected=true} by a person: kept out of scale-in and rollouts.
   */
  public boolean isProtected() {
    return "true".equalsIgnoreCase(tag(OwnershipTags.PROTECTED));
  }

  public Instance withHealth(Health newHealth) {
    return new Instance(
        id,
        state,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        tags,
        newHealth,
        spot);
  }

  /** The instance as EC2 would show it bought spot (true) or on-demand (false). */
  public Instance withSpot(boolean isSpot) {
    return new Instance(
        id,
        state,
        imageId,
        instanceType,
        subnetId,
        zone,
        privateIp,
        launchTime,
        tags,
        health,
        isSpot);
  }

  /** on-demand or spot, as {@link Offering} names capacity types. */
  public String capacityType() {
    return Offering.capacityType(spot);
  }
}
