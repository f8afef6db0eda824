package dev.serverfleet.operator.fleet;

import java.util.List;
import java.util.Objects;

/**
 * One version of an EC2 launch template, as DescribeLaunchTemplateVersions shows it: which template
 * and version number a fleet launches from, and the few settings of its data the operator reads (to
 * launch without amiId or instance type in the fleet, and to check a ServerFleetClass).
 *
 * @param id the template's ID (lt-...)
 * @param name the template's name
 * @param version the version number ($Latest and $Default resolved)
 * @param imageId the version's ImageId, or null when it sets none
 * @param instanceType the version's InstanceType, or null when it sets none
 * @param iamInstanceProfile the version's instance profile (ARN or name), or null
 * @param securityGroupIds the version's security group IDs (top-level or of its interfaces)
 */
public record LaunchTemplateVersion(
    String id,
    String name,
    long version,
    String imageId,
    String instanceType,
    String iamInstanceProfile,
    List<String> securityGroupIds) {

  public LaunchTemplateVersion {
    Objects.requireNonNull(id, "id");
    if (version < 1) {
      throw new IllegalArgumentException("a launch template version is at least 1, was " + version);
    }
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
  }

  /** For status and messages: {@code web (lt-0abc...) version 3}. */
  public String describe() {
    return (name == null ? id : name + " (" + id + ")") + " version " + version;
  }
}
