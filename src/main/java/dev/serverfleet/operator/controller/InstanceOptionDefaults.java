package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.BlockDeviceMapping;
import dev.serverfleet.operator.api.v1alpha1.CapacityReservation;
import dev.serverfleet.operator.api.v1alpha1.CapacityReservationPreference;
import dev.serverfleet.operator.api.v1alpha1.CapacityReservationTarget;
import dev.serverfleet.operator.api.v1alpha1.CreditSpecification;
import dev.serverfleet.operator.api.v1alpha1.EbsVolume;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.Hibernation;
import dev.serverfleet.operator.api.v1alpha1.Monitoring;
import dev.serverfleet.operator.api.v1alpha1.Placement;
import dev.serverfleet.operator.api.v1alpha1.ShutdownBehavior;
import dev.serverfleet.operator.api.v1alpha1.Tenancy;
import dev.serverfleet.operator.api.v1alpha1.VolumeType;
import dev.serverfleet.operator.fleet.InstanceOptions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The defaults of the template's volumes and instance options, applied in code like every other
 * default ({@link SpecDefaults}). Chosen defaults, each equal to writing it explicitly:
 *
 * <ul>
 *   <li>a volume is gp3 (AWS's current general-purpose type: 3000 IOPS and 125 MiB/s at any size,
 *       cheaper per GiB than gp2), encrypted (with the account's default EBS key unless kmsKeyId
 *       names one: no cost, and no KMS permission needed for aws/ebs) and deleted with its instance
 *       (a fleet replaces instances all the time: kept volumes would pile up unseen);
 *   <li>tenancy default, monitoring basic, no hibernation, EBS optimization as the type has it, no
 *       shutdown behaviour sent (EC2's stop: the fleet replaces stopped instances): nothing sent;
 *   <li>credits, capacity reservation, public IP and IPv6 count: not sent (the account's, EC2's and
 *       the subnet's defaults), so these stay null and differ from any explicit value.
 * </ul>
 */
final class InstanceOptionDefaults {
  static final VolumeType VOLUME_TYPE = VolumeType.GP3;

  private InstanceOptionDefaults() {}

  static InstanceOptions of(FleetTemplate t) {
    return new InstanceOptions(
        Optional.ofNullable(t.getBlockDeviceMappings()).orElse(List.of()).stream()
            .map(InstanceOptionDefaults::blockDevice)
            .toList(),
        placement(t.getPlacement()),
        Optional.ofNullable(t.getCpuOptions())
            .map(c -> new InstanceOptions.CpuOptions(c.getCoreCount(), c.getThreadsPerCore()))
            .orElse(null),
        Optional.ofNullable(t.getCreditSpecification())
            .map(CreditSpecification::getCpuCredits)
            .map(InstanceOptionDefaults::ec2Name)
            .orElse(null),
        Boolean.TRUE.equals(t.getEbsOptimized()),
        Optional.ofNullable(t.getMonitoring()).map(Monitoring::getDetailed).orElse(false),
        Optional.ofNullable(t.getHibernation()).map(Hibernation::getConfigured).orElse(false),
        capacityReservation(t.getCapacityReservation()),
        t.getInstanceInitiatedShutdownBehavior() == ShutdownBehavior.TERMINATE,
        t.getAssociatePublicIpAddress(),
        t.getIpv6AddressCount());
  }

  private static InstanceOptions.BlockDevice blockDevice(BlockDeviceMapping m) {
    EbsVolume e = Optional.ofNullable(m.getEbs()).orElseGet(EbsVolume::new);
    return new InstanceOptions.BlockDevice(
        m.getDeviceName(),
        e.getVolumeSize(),
        ec2Name(Optional.ofNullable(e.getVolumeType()).orElse(VOLUME_TYPE)),
        e.getIops(),
        e.getThroughput(),
        !Boolean.FALSE.equals(e.getEncrypted()),
        blankToNull(e.getKmsKeyId()),
        blankToNull(e.getSnapshotId()),
        !Boolean.FALSE.equals(e.getDeleteOnTermination()));
  }

  /** Null when nothing but the default tenancy is asked for: the request EC2 got before. */
  private static InstanceOptions.Placement placement(Placement p) {
    if (p == null) {
      return null;
    }
    String group = blankToNull(p.getGroupName());
    String tenancy =
        p.getTenancy() == null || p.getTenancy() == Tenancy.DEFAULT
            ? null
            : ec2Name(p.getTenancy());
    if (group == null && tenancy == null && p.getPartitionNumber() == null) {
      return null;
    }
    return new InstanceOptions.Placement(group, tenancy, p.getPartitionNumber());
  }

  private static InstanceOptions.CapacityReservation capacityReservation(CapacityReservation c) {
    if (c == null) {
      return null;
    }
    CapacityReservationTarget target = c.getTarget();
    if (target != null) {
      return new InstanceOptions.CapacityReservation(
          null, blankToNull(target.getId()), blankToNull(target.getResourceGroupArn()));
    }
    CapacityReservationPreference preference = c.getPreference();
    return preference == null
        ? null
        : new InstanceOptions.CapacityReservation(ec2Name(preference), null, null);
  }

  /**
   * Writes the volume defaults into a template copy that the revision history stores, so that a
   * stored revision reads the same whatever the user omitted (the other options have no value to
   * write: omitted means "not sent").
   */
  static void writeDefaults(FleetTemplate t) {
    Optional.ofNullable(t.getBlockDeviceMappings())
        .orElse(List.of())
        .forEach(
            m -> {
              EbsVolume e = Optional.ofNullable(m.getEbs()).orElseGet(EbsVolume::new);
              if (e.getVolumeType() == null) {
                e.setVolumeType(VOLUME_TYPE);
              }
              if (e.getEncrypted() == null) {
                e.setEncrypted(true);
              }
              if (e.getDeleteOnTermination() == null) {
                e.setDeleteOnTermination(true);
              }
              m.setEbs(e);
            });
  }

  /** EC2's name of an enum value: the lower-case constant, dashes for underscores. */
  private static String ec2Name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
