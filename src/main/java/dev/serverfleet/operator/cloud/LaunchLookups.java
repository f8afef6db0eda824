package dev.serverfleet.operator.cloud;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lookups that turn a fleet's selectors into IDs: an SSM parameter, images, subnets and
 * security groups by tags. A port of its own, next to {@link Ec2Port}, because these are read-only
 * calls made once per selector per refresh period (see {@code selection/SelectorCache}), not per
 * fleet.
 *
 * <p>Every method throws {@link CloudException} (classified by {@link ErrorClassifier}) when the
 * call fails; "nothing matched" is an answer (an empty list, an empty Optional), never an error.
 * Tags match when the resource carries every key with the given value; a value {@code *} matches
 * any value of the key (EC2 filter wildcards).
 */
public interface LaunchLookups {
  /** An image as DescribeImages shows it. {@code created} is null when EC2 gave no date. */
  record Image(String id, String name, Instant created) {}

  /** A subnet and its Availability Zone. */
  record Subnet(String id, String zone) {}

  /**
   * The value of an SSM parameter (GetParameter), or empty when it does not exist
   * (ParameterNotFound). Access denied and other failures throw.
   */
  Optional<String> ssmParameter(String name);

  /**
   * Available images matching every criterion given (DescribeImages, all pages): {@code name} with
   * {@code *} and {@code ?} wildcards (null: any), {@code owners} (empty: any), {@code tags}.
   */
  List<Image> images(String name, List<String> owners, Map<String, String> tags);

  /** Subnets carrying every tag (DescribeSubnets, all pages). */
  List<Subnet> subnets(Map<String, String> tags);

  /** IDs of the security groups carrying every tag (DescribeSecurityGroups, all pages). */
  List<String> securityGroups(Map<String, String> tags);

  /** For an operator that has none configured: every lookup refuses, naming what was asked. */
  LaunchLookups NONE =
      new LaunchLookups() {
        @Override
        public Optional<String> ssmParameter(String name) {
          throw unavailable("GetParameter");
        }

        @Override
        public List<Image> images(String name, List<String> owners, Map<String, String> tags) {
          throw unavailable("DescribeImages");
        }

        @Override
        public List<Subnet> subnets(Map<String, String> tags) {
          throw unavailable("DescribeSubnets");
        }

        @Override
        public List<String> securityGroups(Map<String, String> tags) {
          throw unavailable("DescribeSecurityGroups");
        }

        private CloudException unavailable(String operation) {
          return new CloudException(
              operation,
              ErrorClass.TERMINAL,
              "NotConfigured",
              "this operator was started without selector lookups");
        }
      };
}
