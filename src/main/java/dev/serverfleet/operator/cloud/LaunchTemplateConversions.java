package dev.serverfleet.operator.cloud;

import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * The launch template of a RunInstances request. Every other parameter in the request overrides the
 * template's value, so the request carries only what the fleet sets: the SDK leaves a null ImageId
 * or InstanceType out of the request (the template's applies), and the other conversions send an
 * option only when it is set. What the fleet always sends, template or not: the subnet, the tags
 * (ownership tags are required; EC2 adds the template's tags of other keys), and the IMDS settings
 * (IMDSv2 and hop limit 2 unless the fleet's metadataOptions say otherwise: security by default,
 * over the template's).
 */
final class LaunchTemplateConversions {
  private LaunchTemplateConversions() {}

  /** The version is always a number: what the revision was resolved with, never $Latest. */
  static void launchTemplate(RunInstancesRequest.Builder b, LaunchRequest r) {
    if (r.launchTemplate() == null) {
      return;
    }
    b.launchTemplate(
        t ->
            t.launchTemplateId(r.launchTemplate().id())
                .version(String.valueOf(r.launchTemplate().version())));
  }
}
