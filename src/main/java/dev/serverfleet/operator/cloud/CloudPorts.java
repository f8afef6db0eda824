package dev.serverfleet.operator.cloud;

import java.util.Objects;

/**
 * The operator's ports to AWS, wired once (in {@code Main}, or a test bed) and handed on as one. A
 * port left out is its {@code NONE}, which says what the operator does without it.
 *
 * @param ec2 instances: the only port the operator cannot run without
 * @param offerings subnets' zones and the instance types each zone offers ({@link Offerings#NONE}:
 *     capacity shortages are left to subnet avoidance alone)
 * @param instanceTypes instance-type sizes ({@link InstanceTypeInfo#NONE}: a class with a vCPU
 *     quota holds every fleet it applies to)
 * @param lookups what the templates' selectors resolve through: SSM parameters, images, subnets and
 *     security groups by tag ({@link LaunchLookups#NONE}: a fleet with a selector is held Degraded)
 * @param launchTemplates launch template versions ({@link LaunchTemplates#NONE}: a fleet with a
 *     launch template is held, Degraded, saying so)
 * @param targetGroups ELBv2 target groups of spec.loadBalancer ({@link TargetGroups#NONE}: a fleet
 *     with loadBalancer is held Degraded, its instances never registered)
 */
public record CloudPorts(
    Ec2Port ec2,
    Offerings offerings,
    InstanceTypeInfo instanceTypes,
    LaunchLookups lookups,
    LaunchTemplates launchTemplates,
    TargetGroups targetGroups) {

  public CloudPorts {
    Objects.requireNonNull(ec2, "ec2");
    offerings = offerings == null ? Offerings.NONE : offerings;
    instanceTypes = instanceTypes == null ? InstanceTypeInfo.NONE : instanceTypes;
    lookups = lookups == null ? LaunchLookups.NONE : lookups;
    launchTemplates = launchTemplates == null ? LaunchTemplates.NONE : launchTemplates;
    targetGroups = targetGroups == null ? TargetGroups.NONE : targetGroups;
  }

  /** Instances only: every other port is its NONE. */
  public static CloudPorts of(Ec2Port ec2) {
    return new CloudPorts(
        ec2,
        Offerings.NONE,
        InstanceTypeInfo.NONE,
        LaunchLookups.NONE,
        LaunchTemplates.NONE,
        TargetGroups.NONE);
  }

  public CloudPorts withEc2(Ec2Port ec2) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }

  public CloudPorts withOfferings(Offerings offerings) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }

  public CloudPorts withInstanceTypes(InstanceTypeInfo instanceTypes) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }

  public CloudPorts withLookups(LaunchLookups lookups) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }

  public CloudPorts withLaunchTemplates(LaunchTemplates launchTemplates) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }

  public CloudPorts withTargetGroups(TargetGroups targetGroups) {
    return new CloudPorts(ec2, offerings, instanceTypes, lookups, launchTemplates, targetGroups);
  }
}
