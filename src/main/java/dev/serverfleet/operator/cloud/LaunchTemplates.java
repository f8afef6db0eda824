package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.LaunchTemplateVersion;

/**
 * Where the operator reads EC2 launch templates: which version number {@code $Latest} or {@code
 * $Default} is now, and what the version sets. A port of its own next to {@link Ec2Port}, like
 * {@link Offerings}: only fleets with a launch template need it.
 */
public interface LaunchTemplates {

  /**
   * The version of one launch template, named by exactly one of {@code id} and {@code name}, in one
   * DescribeLaunchTemplateVersions call (one version asked: {@code $Latest}, {@code $Default} or a
   * number). Throws {@link CloudException}: {@link ErrorClass#TERMINAL} when EC2 knows no such
   * template or version (InvalidLaunchTemplateId.NotFound / .VersionNotFound,
   * InvalidLaunchTemplateName.NotFoundException) or refuses access (UnauthorizedOperation); a
   * retryable class for throttling, 5xx and network errors. Never returns a partial answer.
   */
  LaunchTemplateVersion describe(String id, String name, String version);

  /** No EC2 to ask: every template is unknown (terminal), so a fleet using one says why. */
  LaunchTemplates NONE =
      (id, name, version) -> {
        throw new CloudException(
            "DescribeLaunchTemplateVersions",
            ErrorClass.TERMINAL,
            "NotConfigured",
            "this operator was started without access to launch templates");
      };
}
