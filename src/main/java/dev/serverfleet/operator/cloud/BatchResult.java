package dev.serverfleet.operator.cloud;

import java.util.List;

/**
 * What EC2 did with a call that names instances (TerminateInstances, DeleteTags), per instance id:
 * every distinct id given to the call is in exactly one of the two lists.
 *
 * @param applied ids EC2 accepted the call for
 * @param notFound ids EC2 refused as unknown ({@code InvalidInstanceID.NotFound} or {@code
 *     .Malformed}): terminated and purged long ago, never existed, or, right after RunInstances,
 *     not yet known to this API (eventual consistency). Nothing was done to them; DescribeInstances
 *     stays the truth about whether they exist.
 */
public record BatchResult(List<String> applied, List<String> notFound) {
  public static final BatchResult NONE = new BatchResult(List.of(), List.of());

  public BatchResult {
    applied = List.copyOf(applied);
    notFound = List.copyOf(notFound);
  }
}
