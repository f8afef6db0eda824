package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the planner decides on: the wanted fleet, what EC2 shows, what is in flight, and now.
 *
 * @param instances every instance observed for the fleet; the planner itself ignores those without
 *     this operator's cluster tag and this fleet's uid
 * @param intents launch intents recorded in status
 * @param avoidSubnets subnets that recently reported insufficient capacity: launches go elsewhere
 *     while any other subnet is available
 * @param readySince when each instance was first observed ready (from status), for minReadySeconds
 * @param freshCap the most instances of the current revision a rollout may have now: a checkpoint
 *     ({@link CheckpointGate}) holds the rollout there; {@link CheckpointGate#NO_CAP} otherwise
 * @param instanceTypes which type each new launch uses, and the subnets where none is available
 *     (avoided like {@code avoidSubnets}); null: launches name no type (the fleet's preferred)
 * @param draining instances already on their way out through the drain stage (a pre-termination
 *     hook running, or abandoned by it): never chosen again, never ready or available, and while
 *     live still counted against replicas + maxSurge
 * @param interruptions instances AWS will take (doomed) and the maintenance policy for replacing
 *     them
 */
public record PlanInput(
    int replicas,
    List<String> subnetIds,
    String revision,
    String clusterName,
    String fleetUid,
    List<Instance> instances,
    List<Intent> intents,
    Set<String> avoidSubnets,
    Instant now,
    Timing timing,
    Policy policy,
    Map<String, Instant> readySince,
    int freshCap,
    InstanceTypeChoice instanceTypes,
    Set<String> draining,
    Interruptions interruptions) {

  /** Without a choice of instance types, instances draining or interruptions. */
  public PlanInput(
      int replicas,
      List<String> subnetIds,
      String revision,
      String clusterName,
      String fleetUid,
      List<Instance> instances,
      List<Intent> intents,
      Set<String> avoidSubnets,
      Instant now,
      Timing timing,
      Policy policy,
      Map<String, Instant> readySince,
      int freshCap) {
    this(
        replicas,
        subnetIds,
        revision,
        clusterName,
        fleetUid,
        instances,
        intents,
        avoidSubnets,
        now,
        timing,
        policy,
        readySince,
        freshCap,
        null,
        Set.of(),
        Interruptions.NONE);
  }

  /** As above, without a checkpoint cap. */
  public PlanInput(
      int replicas,
      List<String> subnetIds,
      String revision,
      String clusterName,
      String fleetUid,
      List<Instance> instances,
      List<Intent> intents,
      Set<String> avoidSubnets,
      Instant now,
      Timing timing,
      Policy policy,
      Map<String, Instant> readySince) {
    this(
        replicas,
        subnetIds,
        revision,
        clusterName,
        fleetUid,
        instances,
        intents,
        avoidSubnets,
        now,
        timing,
        policy,
        readySince,
        CheckpointGate.NO_CAP);
  }

  /** The same input, with the rollout held at {@code cap} instances of the current revision. */
  public PlanInput withFreshCap(int cap) {
    return with(cap, instanceTypes, draining, interruptions);
  }

  /** The same input, choosing each new launch's type by {@code choice}. */
  public PlanInput withInstanceTypes(InstanceTypeChoice choice) {
    return with(freshCap, choice, draining, interruptions);
  }

  /** The same input, with these instances draining. */
  public PlanInput withDraining(Set<String> ids) {
    return with(freshCap, instanceTypes, ids, interruptions);
  }

  /** The same input, with these instances doomed and this maintenance policy. */
  public PlanInput withInterruptions(Interruptions notices) {
    return with(freshCap, instanceTypes, draining, notices);
  }

  private PlanInput with(
      int cap, InstanceTypeChoice types, Set<String> drains, Interruptions notices) {
    return new PlanInput(
        replicas,
        subnetIds,
        revision,
        clusterName,
        fleetUid,
        instances,
        intents,
        avoidSubnets,
        now,
        timing,
        policy,
        readySince,
        cap,
        types,
        drains,
        notices);
  }

  /**
   * Subnets launches avoid while any other is available: those that reported a shortage, and those
   * where no instance type of the fleet is available now.
   */
  public Set<String> subnetsToAvoid() {
    if (instanceTypes == null) {
      return avoidSubnets;
    }
    Set<String> avoid = new java.util.HashSet<>(avoidSubnets);
    avoid.addAll(instanceTypes.exhausted(subnetIds));
    return avoid;
  }

  /** The type a new launch in the subnet uses; null when the input chooses none. */
  public String instanceTypeFor(String subnetId) {
    return instanceTypes == null ? null : instanceTypes.typeFor(subnetId);
  }

  public PlanInput {
    if (freshCap < 0) {
      throw new IllegalArgumentException("freshCap must not be negative");
    }
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must not be negative");
    }
    if (subnetIds == null || subnetIds.isEmpty()) {
      throw new IllegalArgumentException("at least one subnet is required");
    }
    subnetIds = List.copyOf(subnetIds);
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(fleetUid, "fleetUid");
    instances = List.copyOf(instances);
    intents = List.copyOf(intents);
    avoidSubnets = Set.copyOf(avoidSubnets);
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(timing, "timing");
    Objects.requireNonNull(policy, "policy");
    readySince = Map.copyOf(readySince);
    draining = Set.copyOf(draining);
    interruptions = interruptions == null ? Interruptions.NONE : interruptions;
  }

  /**
   * How long intents live.
   *
   * @param retryAfter an intent of unknown outcome is re-sent (same token) or looked up this long
   *     after its last attempt: long enough that a sweep which raced the launch has been followed
   *     by one that did not
   * @param visibilityDeadline instances RunInstances acknowledged and no sweep has shown within
   *     this time are looked up by their launch tag before anything is launched in their place
   */
  public record Timing(Duration retryAfter, Duration visibilityDeadline) {
    public static final Timing DEFAULT = new Timing(Duration.ofSeconds(30), Duration.ofMinutes(5));
  }
}
