package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeLaunchTemplateVersionsResponse;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateIamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;

/**
 * {@link LaunchTemplates} on the AWS SDK v2: one DescribeLaunchTemplateVersions per question. It
 * answers the version number and the version's data in one call, where DescribeLaunchTemplates
 * would give the numbers only.
 */
public final class AwsLaunchTemplates implements LaunchTemplates {
  static final String OPERATION = "DescribeLaunchTemplateVersions";

  private final Ec2Client ec2;

  public AwsLaunchTemplates(Ec2Client ec2) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
  }

  /**
   * On the describe client of the operator's {@link AwsEc2}: one HTTP client, one credentials
   * chain, and its request limits (DescribeLaunchTemplateVersions draws on the Describe bucket).
   */
  public static AwsLaunchTemplates sharing(AwsEc2 ec2) {
    return new AwsLaunchTemplates(ec2.describeClient());
  }

  @Override
  public LaunchTemplateVersion describe(String id, String name, String version) {
    if ((id == null) == (name == null)) {
      throw new IllegalArgumentException("exactly one of id and name, was " + id + ", " + name);
    }
    DescribeLaunchTemplateVersionsRequest request =
        DescribeLaunchTemplateVersionsRequest.builder()
            .launchTemplateId(id)
            .launchTemplateName(name)
            .versions(version)
            .build();
    DescribeLaunchTemplateVersionsResponse response;
    try {
      response = ec2.describeLaunchTemplateVersions(request);
    } catch (RuntimeException e) { // SdkException and anything else the SDK lets through
      throw ErrorClassifier.classify(OPERATION, e);
    }
    return response.launchTemplateVersions().stream()
        .findFirst()
        .map(
            v ->
                new LaunchTemplateVersion(
                    v.launchTemplateId(),
                    v.launchTemplateName(),
                    v.versionNumber(),
                    v.launchTemplateData() == null ? null : v.launchTemplateData().imageId(),
                    v.launchTemplateData() == null
                        ? null
                        : v.launchTemplateData().instanceTypeAsString(),
                    profile(v.launchTemplateData()),
                    securityGroups(v.launchTemplateData())))
        .orElseThrow(
            () ->
                new CloudException(
                    OPERATION,
                    ErrorClass.TERMINAL,
                    "InvalidLaunchTemplateId.VersionNotFound",
                    "EC2 showed no version " + version + " of " + (id != null ? id : name)));
  }

  private static String profile(ResponseLaunchTemplateData data) {
    LaunchTemplateIamInstanceProfileSpecification p =
        data == null ? null : data.iamInstanceProfile();
    if (p == null) {
      return null;
    }
    return p.arn() != null ? p.arn() : p.name();
  }

  /** Top-level groups (by ID) and those of the network interfaces the version describes. */
  private static List<String> securityGroups(ResponseLaunchTemplateData data) {
    if (data == null) {
      return List.of();
    }
    Set<String> groups = new LinkedHashSet<>(data.securityGroupIds());
    for (LaunchTemplateInstanceNetworkInterfaceSpecification nic : data.networkInterfaces()) {
      groups.addAll(nic.groups());
    }
    return List.copyOf(groups);
  }
}
