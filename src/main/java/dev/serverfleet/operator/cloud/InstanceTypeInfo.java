package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.Map;

/**
 * What EC2 says about instance types: for now their size in vCPUs, which a ServerFleetClass's vCPU
 * quota needs. A port of its own, apart from {@link Ec2Port}, because it describes the catalogue,
 * not this operator's instances, and its answers never change for a type (see {@link
 * CachedInstanceTypes}).
 */
public interface InstanceTypeInfo {

  /** Knows no type: every type is absent. For wiring without EC2 (tests that use no vCPU quota). */
  InstanceTypeInfo NONE = types -> Map.of();

  /**
   * The default vCPUs ({@code VCpuInfo.DefaultVCpus} of DescribeInstanceTypes) of each given type
   * EC2 knows in the region. A type EC2 does not know (EC2 answers {@code InvalidInstanceType}) is
   * absent from the answer, never guessed; the others are still answered. No call for no types.
   * Throws {@link CloudException} when a call fails otherwise (throttled, no answer, not
   * authorized); nothing is returned then.
   */
  Map<String, Integer> vcpus(Collection<String> types);
}
