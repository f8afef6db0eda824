package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The only EC2 calls the operator makes. Implementations convert to and from SDK types; nothing
 * outside this package sees them. Every method throws {@link CloudException} on failure, never
 * returns a partial answer as if it were whole.
 */
public interface Ec2Port {

  /**
   * Every instance tagged {@code serverfleet.dev/cluster=<clusterName>}, in any state, across all
   * pages (at most 1000 per call). Throws when any page fails: an empty list means "no instances",
   * and a caller must be able to trust that.
   */
  List<Instance> describeOwned(String clusterName);

  /**
   * Status-check health of every running instance in the region, by instance id, across all pages
   * (DescribeInstanceStatus takes no tag filter, so this is one sweep for all fleets). Instances
   * EC2 has no status for are absent. Throws when any page fails.
   */
  Map<String, Health> describeHealth();

  /**
   * Launches {@code request.count()} instances with all tags applied atomically at launch. On AWS
   * a repeated call with the same client token returns the instances of the first call instead of
   * launching more. Returns the launched instances (typically pending).
   */
  List<Instance> runInstances(LaunchRequest request);

  /**
   * Requests termination; ids already terminated or unknown to EC2 are not an error worth failing
   * the whole batch for only when EC2 itself says so. Splits into calls of at most 1000 ids.
   */
  void terminate(Collection<String> instanceIds);

  /** Removes the given tag keys from the instances (deletionPolicy Retain). */
  void untag(Collection<String> instanceIds, Collection<String> tagKeys);

  /**
   * Every instance tagged with this operator's cluster name and the launch tag {@code
   * serverfleet.dev/launch=<clientToken>}, in any state: how the launch ledger settles a launch
   * whose outcome is unknown. Empty means EC2 shows no such instance now (it may still appear
   * later, as any describe is eventually consistent). Throws when the call fails.
   */
  List<Instance> describeLaunch(String clusterName, String clientToken);
}
