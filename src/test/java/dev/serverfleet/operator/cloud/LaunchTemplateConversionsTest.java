package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * A RunInstances request from a launch template carries the template at its resolved number and
 * only what the fleet sets, so that the template's values apply to the rest.
 */
class LaunchTemplateConversionsTest {
  static final LaunchTemplateVersion V3 =
      new LaunchTemplateVersion(
          "lt-0123456789abcdef0", "web", 3, "ami-0abcdef1234567890", "t3.small", null, null);

  static LaunchRequest fromTemplate(String imageId, String instanceType, List<String> groups) {
    return new LaunchRequest(
        "token-1",
        "subnet-0aaaaaaaaaaaaaaaa",
        2,
        imageId,
        instanceType,
        groups,
        null,
        null,
        null,
        false,
        true,
        2,
        Map.of("serverfleet.dev/cluster", "c1", "team", "shop"),
        InstanceOptions.NONE,
        V3);
  }

  @Test
  void sendsTheTemplateAtItsNumberAndOnlyWhatTheFleetSets() {
    RunInstancesRequest run = Ec2Conversions.toRunInstances(fromTemplate(null, null, List.of()));

    assertThat(run.launchTemplate().launchTemplateId()).isEqualTo("lt-0123456789abcdef0");
    assertThat(run.launchTemplate().launchTemplateName()).isNull();
    assertThat(run.launchTemplate().version()).isEqualTo("3");
    assertThat(run.imageId()).as("the template's image applies").isNull();
    assertThat(run.instanceType()).as("the template's type applies").isNull();
    assertThat(run.hasSecurityGroupIds()).as("the template's groups apply").isFalse();
    assertThat(run.keyName()).isNull();
    assertThat(run.iamInstanceProfile()).isNull();
    assertThat(run.userData()).isNull();
    assertThat(run.instanceMarketOptions()).as("on-demand unless the template says").isNull();
    assertThat(run.hasBlockDeviceMappings()).isFalse();
    assertThat(run.placement()).isNull();
    assertThat(run.cpuOptions()).isNull();
    assertThat(run.creditSpecification()).isNull();
    assertThat(run.ebsOptimized()).isNull();
    assertThat(run.monitoring()).isNull();
    assertThat(run.hibernationOptions()).isNull();
    assertThat(run.capacityReservationSpecification()).isNull();
    assertThat(run.instanceInitiatedShutdownBehavior()).isNull();
    assertThat(run.hasNetworkInterfaces()).isFalse();
    // what the fleet always sends: the subnet, the tags (ownership), IMDSv2 by default
    assertThat(run.subnetId()).isEqualTo("subnet-0aaaaaaaaaaaaaaaa");
    assertThat(run.tagSpecifications())
        .extracting(TagSpecification::resourceType)
        .containsExactly(
            ResourceType.INSTANCE, ResourceType.VOLUME, ResourceType.NETWORK_INTERFACE);
    assertThat(run.metadataOptions().httpTokens()).isEqualTo(HttpTokensState.REQUIRED);
    assertThat(run.metadataOptions().httpPutResponseHopLimit()).isEqualTo(2);
  }

  @Test
  void fieldsTheFleetSetsOverrideTheTemplates() {
    RunInstancesRequest run =
        Ec2Conversions.toRunInstances(
            fromTemplate("ami-0fedcba9876543210", "m5.large", List.of("sg-0123456789abcdef0")));

    assertThat(run.imageId()).isEqualTo("ami-0fedcba9876543210");
    assertThat(run.instanceType().toString()).isEqualTo("m5.large");
    assertThat(run.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
    assertThat(run.launchTemplate().version()).isEqualTo("3");
  }

  @Test
  void withoutATemplateNoLaunchTemplateIsSent() {
    LaunchRequest plain =
        new LaunchRequest(
            "t",
            "subnet-0aaaaaaaaaaaaaaaa",
            1,
            "ami-0abcdef1234567890",
            "t3.micro",
            List.of(),
            null,
            null,
            null,
            false,
            true,
            2,
            Map.of());
    assertThat(Ec2Conversions.toRunInstances(plain).launchTemplate()).isNull();
  }

  @Test
  void creditsWithoutAFleetTypeAreNotSent() {
    LaunchRequest r = fromTemplate(null, null, List.of());
    InstanceOptions credits =
        new InstanceOptions(
            List.of(), null, null, "unlimited", false, false, false, null, false, null, null);
    LaunchRequest withCredits =
        new LaunchRequest(
            r.clientToken(),
            r.subnetId(),
            r.count(),
            null,
            null,
            r.securityGroupIds(),
            null,
            null,
            null,
            false,
            true,
            2,
            r.tags(),
            credits,
            V3);
    assertThat(Ec2Conversions.toRunInstances(withCredits).creditSpecification()).isNull();
  }
}
