package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.BlockDeviceMapping;
import dev.serverfleet.operator.api.v1alpha1.CapacityReservation;
import dev.serverfleet.operator.api.v1alpha1.CapacityReservationPreference;
import dev.serverfleet.operator.api.v1alpha1.CpuCredits;
import dev.serverfleet.operator.api.v1alpha1.CpuOptions;
import dev.serverfleet.operator.api.v1alpha1.CreditSpecification;
import dev.serverfleet.operator.api.v1alpha1.EbsVolume;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.Hibernation;
import dev.serverfleet.operator.api.v1alpha1.Monitoring;
import dev.serverfleet.operator.api.v1alpha1.Placement;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ShutdownBehavior;
import dev.serverfleet.operator.api.v1alpha1.Tenancy;
import dev.serverfleet.operator.api.v1alpha1.VolumeType;
import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import dev.serverfleet.operator.testing.RunInstancesCapture;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * Volumes and instance options on the real API server and moto, with the operator in process: what
 * moto keeps is read back from moto (DescribeInstances, DescribeVolumes); what moto accepts and
 * ignores (IOPS, throughput, placement, CPU options, credits, hibernation, capacity reservations,
 * shutdown behaviour, network-interface tags) is read from the RunInstances request the operator's
 * EC2 client put on the wire.
 */
class VolumesAndLaunchOptionsIT extends OperatorTestBed {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final RunInstancesCapture capture = new RunInstancesCapture();
  private static Ec2Client capturing;

  @BeforeAll
  static void operatorWithARecordingEc2Client() {
    capturing =
        Ec2Client.builder()
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(capture))
            .build();
    stopOperator();
    startOperator(new AwsEc2(capturing));
  }

  @AfterAll
  static void closeClient() {
    stopOperator();
    capturing.close();
  }

  @Test
  void anEncryptedGp3RootVolumeAndEveryOptionReachEc2() {
    MotoServer.Network network = moto.createNetwork(1);
    String ns = newNamespace();
    ServerFleet fleet = fleet(ns, "volumes", 1, network);
    FleetTemplate t = fleet.getSpec().getTemplate();
    t.setBlockDeviceMappings(
        List.of(
            mapping("/dev/xvda", 30, VolumeType.GP3, 4000, 250, "alias/web"),
            // st1, not io1/io2: moto 5.2.1 refuses those at RunInstances ("The parameter
            // [VolumeType] requires the parameter Iops to be set", Iops sent or not) after creating
            // the instance; io2 is covered by LaunchOptionsConversionsTest
            mapping("/dev/sdf", 500, VolumeType.ST1, null, null, null)));
    Placement placement = new Placement();
    placement.setGroupName("web-pg");
    placement.setTenancy(Tenancy.DEDICATED);
    t.setPlacement(placement);
    CpuOptions cpu = new CpuOptions();
    cpu.setCoreCount(1);
    cpu.setThreadsPerCore(1);
    t.setCpuOptions(cpu);
    CreditSpecification credits = new CreditSpecification();
    credits.setCpuCredits(CpuCredits.UNLIMITED);
    t.setCreditSpecification(credits);
    t.setEbsOptimized(true);
    Monitoring monitoring = new Monitoring();
    monitoring.setDetailed(true);
    t.setMonitoring(monitoring);
    Hibernation hibernation = new Hibernation();
    hibernation.setConfigured(true);
    t.setHibernation(hibernation);
    CapacityReservation reservation = new CapacityReservation();
    reservation.setPreference(CapacityReservationPreference.NONE);
    t.setCapacityReservation(reservation);
    t.setInstanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE);

    ServerFleet ready = awaitReady(create(fleet), 1);
    Instance instance = liveInstances(ready).get(0);

    var described =
        moto.ec2Client()
            .describeInstances(r -> r.instanceIds(instance.id()))
            .reservations()
            .get(0)
            .instances()
            .get(0);
    assertThat(described.subnetId()).isEqualTo(network.subnetIds().get(0));
    assertThat(described.monitoring().stateAsString()).isEqualTo("enabled");
    assertThat(described.ebsOptimized()).isTrue();
    Map<String, Volume> volumes = volumesByDevice(described);
    assertThat(volumes).containsOnlyKeys("/dev/xvda", "/dev/sdf");
    Volume root = volumes.get("/dev/xvda");
    assertThat(root.size()).isEqualTo(30);
    assertThat(root.volumeTypeAsString()).isEqualTo("gp3");
    assertThat(root.encrypted()).isTrue();
    assertThat(root.kmsKeyId()).isEqualTo("alias/web");
    Volume data = volumes.get("/dev/sdf");
    assertThat(data.size()).isEqualTo(500);
    assertThat(data.volumeTypeAsString()).isEqualTo("st1");
    assertThat(data.encrypted()).as("encrypted when omitted").isTrue();
    // moto's volume attachments omit DeleteOnTermination; its instance mappings have it
    assertThat(described.blockDeviceMappings())
        .allSatisfy(b -> assertThat(b.ebs().deleteOnTermination()).isTrue());
    assertThat(volumes.values())
        .allSatisfy(
            v ->
                assertThat(tags(v.tags()))
                    .containsEntry(OwnershipTags.CLUSTER, cluster)
                    .containsEntry(OwnershipTags.FLEET_UID, ready.getMetadata().getUid())
                    .containsEntry("team", "shop"));

    // the revision history (a ControllerRevision) holds the volumes with their defaults written
    // out and the options, so that undo and rollback write them back
    var revision =
        client
            .apps()
            .controllerRevisions()
            .inNamespace(ns)
            .withName(FleetRevisions.name("volumes", ready.getStatus().getCurrentRevision()))
            .get();
    String stored = JSON.asJson(revision.getData());
    assertThat(stored)
        .contains(
            "\"deviceName\":\"/dev/sdf\"",
            "\"volumeType\":\"st1\"",
            "\"encrypted\":true",
            "\"deleteOnTermination\":true",
            "\"tenancy\":\"dedicated\"",
            "\"instanceInitiatedShutdownBehavior\":\"terminate\"",
            "\"monitoring\":{\"detailed\":true}");

    Map<String, String> run = onlyRunOf(ready);
    assertThat(run)
        .containsEntry("SubnetId", network.subnetIds().get(0))
        .containsEntry("SecurityGroupId.1", network.securityGroupId())
        .containsEntry("BlockDeviceMapping.1.DeviceName", "/dev/xvda")
        .containsEntry("BlockDeviceMapping.1.Ebs.VolumeSize", "30")
        .containsEntry("BlockDeviceMapping.1.Ebs.VolumeType", "gp3")
        .containsEntry("BlockDeviceMapping.1.Ebs.Iops", "4000")
        .containsEntry("BlockDeviceMapping.1.Ebs.Throughput", "250")
        .containsEntry("BlockDeviceMapping.1.Ebs.Encrypted", "true")
        .containsEntry("BlockDeviceMapping.1.Ebs.KmsKeyId", "alias/web")
        .containsEntry("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true")
        .containsEntry("BlockDeviceMapping.2.DeviceName", "/dev/sdf")
        .containsEntry("BlockDeviceMapping.2.Ebs.VolumeType", "st1")
        .containsEntry("BlockDeviceMapping.2.Ebs.Encrypted", "true")
        .doesNotContainKey("BlockDeviceMapping.2.Ebs.Iops")
        .containsEntry("Placement.GroupName", "web-pg")
        .containsEntry("Placement.Tenancy", "dedicated")
        .containsEntry("CpuOptions.CoreCount", "1")
        .containsEntry("CpuOptions.ThreadsPerCore", "1")
        .containsEntry("CreditSpecification.CpuCredits", "unlimited")
        .containsEntry("EbsOptimized", "true")
        .containsEntry("Monitoring.Enabled", "true")
        .containsEntry("HibernationOptions.Configured", "true")
        .containsEntry("CapacityReservationSpecification.CapacityReservationPreference", "none")
        .containsEntry("InstanceInitiatedShutdownBehavior", "terminate")
        .doesNotContainKey("NetworkInterface.1.DeviceIndex");
    assertThat(resourceTypesTagged(run)).containsExactly("instance", "volume", "network-interface");
  }

  @Test
  void aPublicAddressMovesSubnetAndGroupsOntoThePrimaryInterfaceAndInstancesStillLandRight() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = fleet(ns, "public", 2, network);
    fleet.getSpec().getTemplate().setAssociatePublicIpAddress(true);
    fleet.getSpec().getTemplate().setIpv6AddressCount(1);

    ServerFleet ready = awaitReady(create(fleet), 2);

    List<Instance> instances = liveInstances(ready);
    assertThat(instances)
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrderElementsOf(network.subnetIds());
    var described =
        moto
            .ec2Client()
            .describeInstances(r -> r.instanceIds(instances.stream().map(Instance::id).toList()))
            .reservations()
            .stream()
            .flatMap(r -> r.instances().stream())
            .toList();
    assertThat(described)
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.publicIpAddress()).as("public IP of %s", i.instanceId()).isNotBlank();
              assertThat(i.networkInterfaces()).hasSize(1);
              var primary = i.networkInterfaces().get(0);
              assertThat(primary.subnetId()).isEqualTo(i.subnetId());
              // the interface's groups are the instance's; moto leaves the instance-level
              // SecurityGroups empty when they come through NetworkInterfaces (AWS lists them)
              assertThat(primary.groups())
                  .extracting(g -> g.groupId())
                  .containsExactly(network.securityGroupId());
            });

    List<Map<String, String>> runs = runsOf(ready);
    assertThat(runs).hasSize(2);
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run)
                  .containsEntry("NetworkInterface.1.DeviceIndex", "0")
                  .containsEntry("NetworkInterface.1.AssociatePublicIpAddress", "true")
                  .containsEntry("NetworkInterface.1.Ipv6AddressCount", "1")
                  .containsEntry("NetworkInterface.1.DeleteOnTermination", "true")
                  .containsEntry("NetworkInterface.1.SecurityGroupId.1", network.securityGroupId())
                  .doesNotContainKey("SubnetId")
                  .doesNotContainKey("SecurityGroupId.1");
              assertThat(network.subnetIds()).contains(run.get("NetworkInterface.1.SubnetId"));
            });
  }

  private static BlockDeviceMapping mapping(
      String device, int size, VolumeType type, Integer iops, Integer throughput, String kms) {
    EbsVolume ebs = new EbsVolume();
    ebs.setVolumeSize(size);
    ebs.setVolumeType(type);
    ebs.setIops(iops);
    ebs.setThroughput(throughput);
    ebs.setKmsKeyId(kms);
    BlockDeviceMapping m = new BlockDeviceMapping();
    m.setDeviceName(device);
    m.setEbs(ebs);
    return m;
  }

  private static Map<String, Volume> volumesByDevice(
      software.amazon.awssdk.services.ec2.model.Instance described) {
    List<String> ids =
        described.blockDeviceMappings().stream().map(b -> b.ebs().volumeId()).toList();
    return moto.ec2Client().describeVolumes(r -> r.volumeIds(ids)).volumes().stream()
        .collect(Collectors.toMap(v -> v.attachments().get(0).device(), v -> v));
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  /** TagSpecification.N.ResourceType, in N order. */
  private static List<String> resourceTypesTagged(Map<String, String> run) {
    return run.entrySet().stream()
        .filter(e -> e.getKey().matches("TagSpecification\\.[0-9]+\\.ResourceType"))
        .sorted(Map.Entry.comparingByKey())
        .map(Map.Entry::getValue)
        .toList();
  }

  /** The RunInstances requests of the fleet: their client tokens start with part of its uid. */
  private static List<Map<String, String>> runsOf(ServerFleet fleet) {
    String prefix = "sf-" + fleet.getMetadata().getUid().replace("-", "").substring(0, 12) + "-";
    return capture.runs().stream()
        .filter(r -> r.getOrDefault("ClientToken", "").startsWith(prefix))
        .toList();
  }

  private static Map<String, String> onlyRunOf(ServerFleet fleet) {
    List<Map<String, String>> runs = runsOf(fleet);
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }
}
