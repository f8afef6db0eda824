package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import dev.serverfleet.operator.planning.LaunchSettings;
import java.util.List;
import java.util.Optional;

/**
 * The part of {@link ClassPolicy} about launch templates: the class's {@code launchTemplates} list
 * (the template as the fleet names it, or as it resolved: a class listing the id allows a fleet
 * naming the template by name), and what the resolved version sets where the fleet sets nothing:
 * image, instance type, instance profile, security groups, against the class's lists. The subnets
 * are always the fleet's (RunInstances sends them), so the class's subnet list holds as without a
 * template. What the class cannot see: settings of the version it has no list for (user data, key
 * pair, volumes, network interfaces beyond their groups).
 */
final class LaunchTemplatePolicy {
  private LaunchTemplatePolicy() {}

  static Optional<String> refusal(
      ServerFleet fleet, LaunchSettings s, ServerFleetClassSpec spec, String className) {
    LaunchTemplateRef ref = fleet.getSpec().getTemplate().getLaunchTemplate();
    if (ref == null) {
      return Optional.empty();
    }
    String asWritten = ref.getId() != null ? ref.getId() : ref.getName();
    LaunchTemplateVersion v = s.launchTemplate();
    List<String> allowed = spec.getLaunchTemplates();
    if (allowed != null
        && !allowed.contains(asWritten)
        && (v == null || !(allowed.contains(v.id()) || allowed.contains(v.name())))) {
      return ClassPolicy.refused("spec.template.launchTemplate", asWritten, className);
    }
    return v == null ? Optional.empty() : fromVersion(v, s, spec, className);
  }

  /** The version's own settings where the fleet does not override them. */
  private static Optional<String> fromVersion(
      LaunchTemplateVersion v, LaunchSettings s, ServerFleetClassSpec spec, String className) {
    String field = "launch template " + v.describe() + " sets ";
    if (s.amiId() == null
        && v.imageId() != null
        && ClassPolicy.outside(spec.getAmiIds(), v.imageId())) {
      return ClassPolicy.refused(field + "ImageId", v.imageId(), className);
    }
    if (!s.sendsInstanceType() && ClassPolicy.outside(spec.getInstanceTypes(), v.instanceType())) {
      return ClassPolicy.refused(field + "InstanceType", v.instanceType(), className);
    }
    if (s.iamInstanceProfile() == null
        && v.iamInstanceProfile() != null
        && ClassPolicy.outside(spec.getInstanceProfiles(), v.iamInstanceProfile())) {
      return ClassPolicy.refused(field + "IamInstanceProfile", v.iamInstanceProfile(), className);
    }
    if (s.securityGroupIds().isEmpty()) {
      for (String group : v.securityGroupIds()) {
        if (ClassPolicy.outside(spec.getSecurityGroupIds(), group)) {
          return ClassPolicy.refused(field + "SecurityGroupIds", group, className);
        }
      }
    }
    return Optional.empty();
  }
}
