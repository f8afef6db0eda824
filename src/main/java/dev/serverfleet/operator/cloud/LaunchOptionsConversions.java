package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.fleet.InstanceOptions.BlockDevice;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CapacityReservationPreference;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;

/**
 * {@link InstanceOptions} into a RunInstances request: volumes, placement, CPU, monitoring,
 * hibernation, capacity reservations, shutdown behaviour and the primary network interface. Only
 * what is set is sent, so a fleet without these options sends the request it always sent.
 */
final class LaunchOptionsConversions {
  /** Burstable types (t2, t3, t3a, t4g, ...): the only ones EC2 takes a credit option for. */
  private static final Pattern BURSTABLE = Pattern.compile("^t[0-9].*");

  private LaunchOptionsConversions() {}

  /** Everything but the network: see {@link #network}. */
  static void apply(RunInstancesRequest.Builder b, LaunchRequest r) {
    InstanceOptions o = r.instanceOptions();
    if (!o.blockDevices().isEmpty()) {
      b.blockDeviceMappings(
          o.blockDevices().stream().map(LaunchOptionsConversions::mapping).toList());
    }
    if (o.placement() != null) {
      InstanceOptions.Placement p = o.placement();
      b.placement(
          x ->
              x.groupName(p.groupName()).tenancy(p.tenancy()).partitionNumber(p.partitionNumber()));
    }
    if (o.cpuOptions() != null) {
      b.cpuOptions(
          c ->
              c.coreCount(o.cpuOptions().coreCount())
                  .threadsPerCore(o.cpuOptions().threadsPerCore()));
    }
    // The CRD refuses credits for a non-T type; a type list (instance type fallback) may mix
    // families, and EC2 refuses the option for the others, so it goes with T types only.
    if (o.cpuCredits() != null
        && r.instanceType() != null
        && BURSTABLE.matcher(r.instanceType()).matches()) {
      b.creditSpecification(c -> c.cpuCredits(o.cpuCredits()));
    }
    if (o.ebsOptimized()) {
      b.ebsOptimized(true);
    }
    if (o.detailedMonitoring()) {
      b.monitoring(m -> m.enabled(true));
    }
    if (o.hibernation()) {
      b.hibernationOptions(h -> h.configured(true));
    }
    if (o.capacityReservation() != null) {
      capacityReservation(b, o.capacityReservation());
    }
    if (o.terminateOnShutdown()) {
      b.instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE);
    }
  }

  /**
   * The subnet and security groups: top-level as always, or, when the primary interface has
   * addresses to configure, as NetworkInterfaces[0] (EC2 refuses a top-level SubnetId or
   * SecurityGroupIds next to NetworkInterfaces).
   */
  static void network(RunInstancesRequest.Builder b, LaunchRequest r) {
    InstanceOptions o = r.instanceOptions();
    if (!o.configuresPrimaryInterface()) {
      b.subnetId(r.subnetId());
      if (!r.securityGroupIds().isEmpty()) {
        b.securityGroupIds(r.securityGroupIds());
      }
      return;
    }
    InstanceNetworkInterfaceSpecification.Builder nic =
        InstanceNetworkInterfaceSpecification.builder()
            .deviceIndex(0)
            .subnetId(r.subnetId())
            // the instance's own interface: it goes with the instance, as the implicit one does
            .deleteOnTermination(true)
            .associatePublicIpAddress(o.associatePublicIpAddress())
            .ipv6AddressCount(o.ipv6AddressCount());
    if (!r.securityGroupIds().isEmpty()) {
      nic.groups(r.securityGroupIds());
    }
    b.networkInterfaces(nic.build());
  }

  private static BlockDeviceMapping mapping(BlockDevice d) {
    return BlockDeviceMapping.builder()
        .deviceName(d.deviceName())
        .ebs(
            e ->
                e.volumeSize(d.volumeSize())
                    .volumeType(d.volumeType())
                    .iops(d.iops())
                    .throughput(d.throughput())
                    .encrypted(d.encrypted())
                    .kmsKeyId(d.kmsKeyId())
                    .snapshotId(d.snapshotId())
                    .deleteOnTermination(d.deleteOnTermination()))
        .build();
  }

  private static void capacityReservation(
      RunInstancesRequest.Builder b, InstanceOptions.CapacityReservation c) {
    if (c.preference() != null) {
      b.capacityReservationSpecification(
          s ->
              s.capacityReservationPreference(
                  CapacityReservationPreference.fromValue(c.preference())));
    } else {
      b.capacityReservationSpecification(
          s ->
              s.capacityReservationTarget(
                  t ->
                      t.capacityReservationId(c.targetId())
                          .capacityReservationResourceGroupArn(c.resourceGroupArn())));
    }
  }
}
