package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.InstanceOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Tenancy;

/** The SDK's RunInstances request built from a launch request with volumes and options. */
class LaunchOptionsConversionsTest {
  private static final InstanceOptions.BlockDevice ROOT =
      new InstanceOptions.BlockDevice(
          "/dev/xvda", 30, "gp3", 6000, 250, true, "alias/web", null, true);
  private static final InstanceOptions.BlockDevice DATA =
      new InstanceOptions.BlockDevice(
          "/dev/sdf", null, "io2", 4000, null, false, null, "snap-0123456789abcdef0", false);

  private static final InstanceOptions EVERYTHING =
      new InstanceOptions(
          List.of(ROOT, DATA),
          new InstanceOptions.Placement("web-pg", "dedicated", 2),
          new InstanceOptions.CpuOptions(2, 1),
          "unlimited",
          true,
          true,
          true,
          new InstanceOptions.CapacityReservation(null, "cr-0123456789abcdef0", null),
          true,
          null,
          null);

  @Test
  void withoutOptionsTheRequestIsTheOneSentBefore() {
    RunInstancesRequest run =
        Ec2Conversions.toRunInstances(request("t3.micro", InstanceOptions.NONE));

    assertThat(run.subnetId()).isEqualTo("subnet-0aaaaaaaaaaaaaaaa");
    assertThat(run.securityGroupIds()).containsExactly("sg-0123456789abcdef0");
    assertThat(run.hasNetworkInterfaces()).isFalse();
    assertThat(run.hasBlockDeviceMappings()).isFalse();
    assertThat(run.placement()).isNull();
    assertThat(run.cpuOptions()).isNull();
    assertThat(run.creditSpecification()).isNull();
    assertThat(run.ebsOptimized()).isNull();
    assertThat(run.monitoring()).isNull();
    assertThat(run.hibernationOptions()).isNull();
    assertThat(run.capacityReservationSpecification()).isNull();
    assertThat(run.instanceInitiatedShutdownBehavior()).isNull();
  }

  @Test
  void sendsEveryOption() {
    RunInstancesRequest run = Ec2Conversions.toRunInstances(request("t3.micro", EVERYTHING));

    assertThat(run.blockDeviceMappings())
        .containsExactly(
            BlockDeviceMapping.builder()
                .deviceName("/dev/xvda")
                .ebs(
                    EbsBlockDevice.builder()
                        .volumeSize(30)
                        .volumeType("gp3")
                        .iops(6000)
                        .throughput(250)
                        .encrypted(true)
                        .kmsKeyId("alias/web")
                        .deleteOnTermination(true)
                        .build())
                .build(),
            BlockDeviceMapping.builder()
                .deviceName("/dev/sdf")
                .ebs(
                    EbsBlockDevice.builder()
                        .volumeType("io2")
                        .iops(4000)
                        .encrypted(false)
                        .snapshotId("snap-0123456789abcdef0")
                        .deleteOnTermination(false)
                        .build())
                .build());
    assertThat(run.placement().groupName()).isEqualTo("web-pg");
    assertThat(run.placement().tenancy()).isEqualTo(Tenancy.DEDICATED);
    assertThat(run.placement().partitionNumber()).isEqualTo(2);
    assertThat(run.placement().availabilityZone()).as("the subnet decides the zone").isNull();
    assertThat(run.cpuOptions().coreCount()).isEqualTo(2);
    assertThat(run.cpuOptions().threadsPerCore()).isEqualTo(1);
    assertThat(run.creditSpecification().cpuCredits()).isEqualTo("unlimited");
    assertThat(run.ebsOptimized()).isTrue();
    assertThat(run.monitoring().enabled()).isTrue();
    assertThat(run.hibernationOptions().configured()).isTrue();
    assertThat(run.capacityReservationSpecification().capacityReservationPreference()).isNull();
    assertThat(
            run.capacityReservationSpecification()
                .capacityReservationTarget()
                .capacityReservationId())
        .isEqualTo("cr-0123456789abcdef0");
    assertThat(run.instanceInitiatedShutdownBehavior()).isEqualTo(ShutdownBehavior.TERMINATE);
    // no primary-interface option: the subnet and groups stay where they always were
    assertThat(run.subnetId()).isEqualTo("subnet-0aaaaaaaaaaaaaaaa");
    assertThat(run.hasNetworkInterfaces()).isFalse();
  }

  @Test
  void aPreferenceIsSentWithoutATarget() {
    var options =
        new InstanceOptions(
            List.of(),
            null,
            null,
            null,
            false,
            false,
            false,
            new InstanceOptions.CapacityReservation("none", null, null),
            false,
            null,
            null);
    var spec =
        Ec2Conversions.toRunInstances(request("t3.micro", options))
            .capacityReservationSpecification();

    assertThat(spec.capacityReservationPreferenceAsString()).isEqualTo("none");
    assertThat(spec.capacityReservationTarget()).isNull();
  }

  @Test
  void creditsGoOnlyWithBurstableTypes() {
    assertThat(
            Ec2Conversions.toRunInstances(request("m7g.large", EVERYTHING)).creditSpecification())
        .isNull();
    assertThat(
            Ec2Conversions.toRunInstances(request("t4g.small", EVERYTHING)).creditSpecification())
        .isNotNull();
  }

  @Test
  void thePrimaryInterfaceCarriesTheSubnetAndGroupsWhenItHasAddressesToConfigure() {
    var options =
        new InstanceOptions(List.of(), null, null, null, false, false, false, null, false, true, 2);

    RunInstancesRequest run = Ec2Conversions.toRunInstances(request("t3.micro", options));

    assertThat(run.subnetId()).as("EC2 refuses SubnetId next to NetworkInterfaces").isNull();
    assertThat(run.hasSecurityGroupIds()).isFalse();
    assertThat(run.networkInterfaces()).hasSize(1);
    var nic = run.networkInterfaces().get(0);
    assertThat(nic.deviceIndex()).isZero();
    assertThat(nic.subnetId()).isEqualTo("subnet-0aaaaaaaaaaaaaaaa");
    assertThat(nic.groups()).containsExactly("sg-0123456789abcdef0");
    assertThat(nic.associatePublicIpAddress()).isTrue();
    assertThat(nic.ipv6AddressCount()).isEqualTo(2);
    assertThat(nic.deleteOnTermination()).isTrue();
  }

  @Test
  void anExplicitNoPublicIpAloneAlsoUsesTheInterface() {
    var options =
        new InstanceOptions(
            List.of(), null, null, null, false, false, false, null, false, false, null);

    var nic =
        Ec2Conversions.toRunInstances(request("t3.micro", options)).networkInterfaces().get(0);

    assertThat(nic.associatePublicIpAddress()).isFalse();
    assertThat(nic.ipv6AddressCount()).isNull();
  }

  @Test
  void instancesVolumesAndInterfacesAreTaggedAtLaunch() {
    RunInstancesRequest run = Ec2Conversions.toRunInstances(request("t3.micro", EVERYTHING));

    assertThat(run.tagSpecifications())
        .extracting(TagSpecification::resourceType)
        .containsExactly(
            ResourceType.INSTANCE, ResourceType.VOLUME, ResourceType.NETWORK_INTERFACE);
    assertThat(run.tagSpecifications())
        .allSatisfy(
            t ->
                assertThat(t.tags())
                    .anySatisfy(tag -> assertThat(tag.key()).isEqualTo("serverfleet.dev/cluster")));
  }

  private static LaunchRequest request(String instanceType, InstanceOptions options) {
    return new LaunchRequest(
        "sf-token-1",
        "subnet-0aaaaaaaaaaaaaaaa",
        2,
        "ami-0abcdef1234567890",
        instanceType,
        List.of("sg-0123456789abcdef0"),
        null,
        null,
        null,
        false,
        true,
        2,
        Map.of("serverfleet.dev/cluster", "c1", "team", "shop"),
        options);
  }
}
