package dev.serverfleet.operator.planning;

import java.time.Instant;
import java.util.List;

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

  public Intent answered(List<String> ids) {
    return new Intent(token, subnetId, count, revision, createdAt, ids);
  }
}
