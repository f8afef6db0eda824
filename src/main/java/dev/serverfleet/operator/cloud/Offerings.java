package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Where EC2 sells what: the Availability Zone of a subnet and the instance types each zone offers.
 * Both change rarely (a subnet never moves; a zone gains types over months), so callers learn them
 * once and keep them. A port of its own next to {@link Ec2Port}: the launch path works without it,
 * only less well informed.
 */
public interface Offerings {

  /**
   * The Availability Zone of each given subnet, in one DescribeSubnets call filtered by {@code
   * subnet-id} (a filter, not SubnetIds, so an unknown subnet is absent instead of failing the
   * call); no call for no ids. Throws {@link CloudException} when the call fails.
   */
  Map<String, String> zonesOf(Collection<String> subnetIds);

  /**
   * Of the given instance types, those each given zone offers: DescribeInstanceTypeOfferings with
   * LocationType {@code availability-zone}, filtered by {@code instance-type} and {@code location},
   * every page. A zone that offers none of them maps to an empty set; unknown types or zones are
   * simply not offered. No call when either collection is empty. Throws {@link CloudException} when
   * a call fails; nothing is returned then.
   */
  Map<String, Set<String>> offeredTypes(Collection<String> instanceTypes, Collection<String> zones);

  /** Knows nothing: no zones, so every type counts as offered and shortages avoid subnets. */
  Offerings NONE =
      new Offerings() {
        @Override
        public Map<String, String> zonesOf(Collection<String> subnetIds) {
          return Map.of();
        }

        @Override
        public Map<String, Set<String>> offeredTypes(
            Collection<String> instanceTypes, Collection<String> zones) {
          return Map.of();
        }
      };
}
