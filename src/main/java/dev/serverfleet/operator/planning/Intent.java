package dev.serverfleet.operator.planning;

import java.time.Instant;
import dev.serverfleet.operator.cloud.Instance;
import dev.serverfleet.operator.cloud.OwnershipTags;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A launch the operator decided on and recorded before calling EC2 (see
 * {@link dev.serverfleet.operator.api.v1alpha1.LaunchIntent}, its status form).
 */
public record Intent(String token, String subnetId, int count, String revision, Instant createdAt,
    List<String> instanceIds) {

  /**
   * @param instanceIds what RunInstances answered for this token, empty until it answered: a
   *     retry of an answered intent is not a new launch
   */
  public Intent {
    instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
  }

  public Intent(String token, String subnetId, int count, String revision, Instant createdAt) {
    this(token, subnetId, count, revision, createdAt, List.of());
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

  public Intent answered(List<String> ids) {
    return new Intent(token, subnetId, count, revision, createdAt, ids);
  }
}
