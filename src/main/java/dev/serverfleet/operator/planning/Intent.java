package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One launch in the {@link LaunchLedger}: a RunInstances call the operator decided on, recorded in
 * status before the call is made (its status form is {@link
 * dev.serverfleet.operator.api.v1alpha1.LaunchIntent}).
 *
 * @param createdAt when the intent was written
 * @param state where the intent is in the ledger's state machine
 * @param attempts RunInstances calls made with this token by processes that lived to record them
 * @param since when the intent entered its state (the last attempt, answer or lookup): the ledger's
 *     timers run from here
 * @param instanceIds the instances EC2 answered (or a lookup found) for this token, empty until
 *     then
 * @param instanceType the type the launch asks for, so a retry sends the same; null for an intent
 *     recorded before intents named their type (the fleet's preferred type then)
 * @param capacityType on-demand or spot, so a retry buys in the same market (EC2 refuses a client
 *     token with other parameters); null for an intent recorded before intents named theirs (the
 *     fleet's capacity type then)
 */
public record Intent(
    String token,
    String subnetId,
    int count,
    String revision,
    Instant createdAt,
    State state,
    int attempts,
    Instant since,
    List<String> instanceIds,
    String instanceType,
    String capacityType) {

  /** See the table in {@link LaunchLedger}. */
  public enum State {
    WRITTEN,
    UNKNOWN,
    ACKNOWLEDGED,
    LOOKUP
  }

  public Intent {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(createdAt, "createdAt");
    state = state == null ? State.WRITTEN : state;
    since = since == null ? createdAt : since;
    instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
  }

  /** Without a recorded capacity type. */
  public Intent(
      String token,
      String subnetId,
      int count,
      String revision,
      Instant createdAt,
      State state,
      int attempts,
      Instant since,
      List<String> instanceIds,
      String instanceType) {
    this(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        state,
        attempts,
        since,
        instanceIds,
        instanceType,
        null);
  }

  /** The same intent, buying in this market (on-demand or spot). */
  public Intent withCapacityType(String market) {
    return new Intent(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        state,
        attempts,
        since,
        instanceIds,
        instanceType,
        market);
  }

  /** Without a recorded instance type. */
  public Intent(
      String token,
      String subnetId,
      int count,
      String revision,
      Instant createdAt,
      State state,
      int attempts,
      Instant since,
      List<String> instanceIds) {
    this(token, subnetId, count, revision, createdAt, state, attempts, since, instanceIds, null);
  }

  /** A new intent, written and not yet sent. */
  public Intent(String token, String subnetId, int count, String revision, Instant createdAt) {
    this(token, subnetId, count, revision, createdAt, null);
  }

  /** A new intent for this instance type, written and not yet sent. */
  public Intent(
      String token,
      String subnetId,
      int count,
      String revision,
      Instant createdAt,
      String instanceType) {
    this(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        State.WRITTEN,
        0,
        createdAt,
        List.of(),
        instanceType);
  }

  Intent to(State next, Instant at) {
    return new Intent(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        next,
        attempts,
        at,
        instanceIds,
        instanceType,
        capacityType);
  }

  Intent attempted(State next, Instant at) {
    return new Intent(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        next,
        attempts + 1,
        at,
        instanceIds,
        instanceType,
        capacityType);
  }

  /** How many instances launched under each token are observed, by token. */
  public static Map<String, Long> seenByToken(Collection<Instance> instances) {
    return instances.stream()
        .filter(i -> i.tag(OwnershipTags.LAUNCH) != null)
        .collect(Collectors.groupingBy(i -> i.tag(OwnershipTags.LAUNCH), Collectors.counting()));
  }

  /** The instances of this launch not observed yet, given {@link #seenByToken}. */
  public int unseen(Map<String, Long> seenByToken) {
    return (int) Math.max(0, count - seenByToken.getOrDefault(token, 0L));
  }
}
