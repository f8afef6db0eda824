package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
   * Status-check health of the given instances, by instance id, in DescribeInstanceStatus calls of
   * at most 100 ids (EC2's limit when ids are named); no call for no ids. Only running instances
   * have status checks: an instance that is not running, or that EC2 has no status for yet, is
   * absent. Ids EC2 does not know are left out (absent) as {@link #terminate} leaves them out.
   * Throws {@link CloudException} when a call fails otherwise.
   */
  Map<String, Health> describeHealth(Collection<String> instanceIds);

  /**
   * The given instances as DescribeInstances shows them now, in any state, in calls of at most 1000
   * ids (EC2's limit; no call for no ids). Ids EC2 does not know are absent from the answer, left
   * out as {@link #terminate} leaves them out: right after RunInstances EC2 may not know an
   * instance yet (eventual consistency), and long-terminated instances are purged; absent says
   * neither "gone" nor "not launched". Health is {@link Health#UNKNOWN}: status checks are not
   * asked. Throws {@link CloudException} when a call fails otherwise; nothing is returned then.
   */
  List<Instance> describeByIds(Collection<String> instanceIds);

  /**
   * Launches {@code request.count()} instances with all tags applied atomically at launch. On AWS a
   * repeated call with the same client token returns the instances of the first call instead of
   * launching more. Returns the launched instances (typically pending).
   */
  List<Instance> runInstances(LaunchRequest request);

  /**
   * Requests termination of the given instances, in TerminateInstances calls of at most 1000 ids.
   *
   * <ul>
   *   <li><b>Not found.</b> EC2 refuses a whole call with {@code InvalidInstanceID.NotFound} when
   *       any id in it is unknown (terminated and purged long ago, or never existed). That is not
   *       an error here: an unknown instance is as terminated as it gets. The call is repeated
   *       without the ids EC2's message names (in smaller batches, down to single ids, when it
   *       names none), so one bad id never blocks the others, and those ids are returned in {@link
   *       BatchResult#notFound}. Right after RunInstances EC2 may not know an instance yet; the
   *       next DescribeInstances, not this answer, says whether it exists.
   *   <li><b>Already terminating.</b> Instances already shutting-down or terminated are accepted
   *       again, so repeating a call with the same ids is safe.
   *   <li><b>Other failures</b> throw {@link CloudException}, classified once by {@link
   *       ErrorClassifier}. Calls made before the failure (earlier batches) may have taken effect:
   *       retry with the same ids.
   * </ul>
   *
   * @return the ids EC2 accepted (now shutting-down or terminated) and those it did not know;
   *     {@link BatchResult#NONE}, without a call, for no ids
   */
  BatchResult terminate(Collection<String> instanceIds);

  /**
   * Removes the given tag keys, whatever their values, from the instances (deletionPolicy Retain),
   * in DeleteTags calls of at most 1000 ids. Unknown ids are handled as by {@link #terminate}: AWS
   * refuses the whole call for them, so they are left out and returned in {@link
   * BatchResult#notFound} (moto does not check ids here). Other failures throw {@link
   * CloudException}; tags removed by earlier batches stay removed, and repeating is safe.
   *
   * @return the ids EC2 untagged and those it did not know; {@link BatchResult#NONE}, without a
   *     call, for no ids or no keys
   */
  BatchResult untag(Collection<String> instanceIds, Collection<String> tagKeys);

  /**
   * Every instance tagged with this operator's cluster name and the launch tag {@code
   * serverfleet.dev/launch=<clientToken>}, in any state: how the launch ledger settles a launch
   * whose outcome is unknown. Empty means EC2 shows no such instance now (it may still appear
   * later, as any describe is eventually consistent). Throws when the call fails.
   */
  List<Instance> describeLaunch(String clusterName, String clientToken);

  /**
   * Which of the given AMI IDs EC2 still has (not deregistered), in one DescribeImages call
   * filtered by {@code image-id} (a filter, not ImageIds, so an unknown id is absent instead of
   * failing the call); no call for no ids. How an automatic rollback makes sure the revision it
   * returns to can still launch. Throws {@link CloudException} when the call fails.
   */
  Set<String> existingImages(Collection<String> amiIds);
}
