package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** The project's launch request to the SDK's RunInstances, and the SDK's instance back. */
final class Ec2Conversions {
  private Ec2Conversions() {}

  static RunInstancesRequest toRunInstances(LaunchRequest r) {
    RunInstancesRequest.Builder b =
        RunInstancesRequest.builder()
            .clientToken(r.clientToken())
            // moto ignores MaxCount and launches MinCount; AWS launches up to MaxCount. Equal
            // counts mean exactly this many.
            .minCount(r.count())
            .maxCount(r.count())
            .imageId(r.imageId())
            .instanceType(r.instanceType());
    LaunchTemplateConversions.launchTemplate(b, r);
    LaunchOptionsConversions.network(b, r);
    metadataOptions(b, r);
    optionalSettings(b, r);
    LaunchOptionsConversions.apply(b, r);
    if (r.spot()) {
      spot(b);
    }
    if (!r.tags().isEmpty()) {
      tags(b, r.tags());
    }
    return b.build();
  }

  /** IMDSv2 unless the fleet asks otherwise, and the hop limit containers on the host need. */
  private static void metadataOptions(RunInstancesRequest.Builder b, LaunchRequest r) {
    b.metadataOptions(
        m -> {
          m.httpTokens(r.httpTokensRequired() ? HttpTokensState.REQUIRED : HttpTokensState.OPTIONAL)
              .httpEndpoint(InstanceMetadataEndpointState.ENABLED);
          if (r.httpPutResponseHopLimit() > 0) {
            m.httpPutResponseHopLimit(r.httpPutResponseHopLimit());
          }
        });
  }

  /** Key pair, instance profile (name or ARN) and user data, when given. */
  private static void optionalSettings(RunInstancesRequest.Builder b, LaunchRequest r) {
    if (present(r.keyName())) {
      b.keyName(r.keyName());
    }
    if (present(r.iamInstanceProfile())) {
      String profile = r.iamInstanceProfile();
      b.iamInstanceProfile(
          p -> {
            if (profile.startsWith("arn:")) {
              p.arn(profile);
            } else {
              p.name(profile);
            }
          });
    }
    if (present(r.userData())) {
      b.userData(Base64.getEncoder().encodeToString(r.userData().getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** One-time and terminate: a persistent request would relaunch behind the operator's back. */
  private static void spot(RunInstancesRequest.Builder b) {
    b.instanceMarketOptions(
        m ->
            m.marketType(MarketType.SPOT)
                .spotOptions(
                    s ->
                        s.spotInstanceType(SpotInstanceType.ONE_TIME)
                            .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)));
  }

  /**
   * Tags are applied atomically with the launch: no untagged instance, volume or network interface
   * ever exists, cost reports see all three, and no CreateTags call follows.
   */
  private static void tags(RunInstancesRequest.Builder b, Map<String, String> tags) {
    List<Tag> sdkTags =
        tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    b.tagSpecifications(
        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(sdkTags).build(),
        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(sdkTags).build(),
        TagSpecification.builder()
            .resourceType(ResourceType.NETWORK_INTERFACE)
            .tags(sdkTags)
            .build());
  }

  /**
   * Converts an SDK instance. {@code launchTags} fill in tags a RunInstances response may omit; the
   * instance's own tags win.
   */
  static Instance toInstance(
      software.amazon.awssdk.services.ec2.model.Instance i, Map<String, String> launchTags) {
    Map<String, String> tags = new LinkedHashMap<>(launchTags);
    i.tags().forEach(t -> tags.put(t.key(), t.value() == null ? "" : t.value()));
    InstanceState state =
        i.state() == null ? InstanceState.PENDING : InstanceState.fromEc2(i.state().nameAsString());
    return new Instance(
        i.instanceId(),
        state,
        i.imageId(),
        i.instanceTypeAsString(),
        i.subnetId(),
        i.placement() == null ? null : i.placement().availabilityZone(),
        i.privateIpAddress(),
        i.launchTime(),
        tags,
        null,
        // DescribeInstances says spot here for Spot Instances and omits it for on-demand ones
        i.instanceLifecycle() == InstanceLifecycleType.SPOT);
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
