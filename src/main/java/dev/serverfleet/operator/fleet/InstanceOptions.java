package dev.serverfleet.operator.fleet;

import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The launch settings beyond image, type and network, with every default applied: volumes,
 * placement, CPU, monitoring and the primary interface's addresses. Values use EC2's names (gp3,
 * dedicated, unlimited, open); null means "not sent: EC2's or the subnet's default".
 *
 * <p>It lives in {@code fleet}, not {@code planning}, because both the planner's {@code
 * LaunchSettings} (what the revision hashes) and the cloud port's {@code LaunchRequest} (what
 * RunInstances sends) carry it, and {@code cloud} may not depend on {@code planning}.
 *
 * @param cpuCredits standard or unlimited (T family), or null
 * @param ebsOptimized sent only when true (false is EC2's default)
 * @param detailedMonitoring sent only when true
 * @param hibernation sent only when true
 * @param terminateOnShutdown InstanceInitiatedShutdownBehavior=terminate; false sends nothing
 * @param associatePublicIpAddress null: the subnet's setting
 * @param ipv6AddressCount null: the subnet's setting
 */
public record InstanceOptions(
    List<BlockDevice> blockDevices,
    Placement placement,
    CpuOptions cpuOptions,
    String cpuCredits,
    boolean ebsOptimized,
    boolean detailedMonitoring,
    boolean hibernation,
    CapacityReservation capacityReservation,
    boolean terminateOnShutdown,
    Boolean associatePublicIpAddress,
    Integer ipv6AddressCount) {

  /** Nothing beyond what the fleet sent before these options existed. */
  public static final InstanceOptions NONE =
      new InstanceOptions(
          List.of(), null, null, null, false, false, false, null, false, null, null);

  public InstanceOptions {
    blockDevices = blockDevices == null ? List.of() : List.copyOf(blockDevices);
  }

  /**
   * One EBS volume at launch, defaults applied.
   *
   * @param volumeSize GiB, or null for the snapshot's size
   * @param iops null: the type's baseline
   * @param throughput MiB/s (gp3), or null for the baseline
   */
  public record BlockDevice(
      String deviceName,
      Integer volumeSize,
      String volumeType,
      Integer iops,
      Integer throughput,
      boolean encrypted,
      String kmsKeyId,
      String snapshotId,
      boolean deleteOnTermination) {

    /** Each part as its own length-prefixed field of the revision: no two volumes collide. */
    void forEachSetting(BiConsumer<String, String> field) {
      String prefix = "blockDevice[" + deviceName.length() + ":" + deviceName + "].";
      setting(field, prefix + "volumeSize", volumeSize);
      setting(field, prefix + "volumeType", volumeType);
      setting(field, prefix + "iops", iops);
      setting(field, prefix + "throughput", throughput);
      setting(field, prefix + "encrypted", encrypted);
      setting(field, prefix + "kmsKeyId", kmsKeyId);
      setting(field, prefix + "snapshotId", snapshotId);
      setting(field, prefix + "deleteOnTermination", deleteOnTermination);
    }
  }

  /** Each part null when not set; tenancy "default" is written as null. */
  public record Placement(String groupName, String tenancy, Integer partitionNumber) {}

  public record CpuOptions(int coreCount, int threadsPerCore) {}

  /** Exactly one of the three is set. */
  public record CapacityReservation(String preference, String targetId, String resourceGroupArn) {}

  /** Whether the primary interface must be described in NetworkInterfaces (RunInstances). */
  public boolean configuresPrimaryInterface() {
    return associatePublicIpAddress != null || ipv6AddressCount != null;
  }

  /**
   * Feeds the revision hash: every setting that differs from {@link #NONE}, by name, in a fixed
   * order. A fleet with none of these options keeps the revision it had before they existed (no
   * rollout on upgrade), and block devices are ordered by device name (reordering the list changes
   * no instance).
   */
  public void forEachSetting(BiConsumer<String, String> field) {
    blockDevices.stream()
        .sorted(Comparator.comparing(BlockDevice::deviceName))
        .forEach(d -> d.forEachSetting(field));
    if (placement != null) {
      setting(field, "placement.groupName", placement.groupName());
      setting(field, "placement.tenancy", placement.tenancy());
      setting(field, "placement.partitionNumber", placement.partitionNumber());
    }
    if (cpuOptions != null) {
      setting(field, "cpuOptions.coreCount", cpuOptions.coreCount());
      setting(field, "cpuOptions.threadsPerCore", cpuOptions.threadsPerCore());
    }
    setting(field, "cpuCredits", cpuCredits);
    setting(field, "ebsOptimized", ebsOptimized ? "true" : null);
    setting(field, "detailedMonitoring", detailedMonitoring ? "true" : null);
    setting(field, "hibernation", hibernation ? "true" : null);
    if (capacityReservation != null) {
      setting(field, "capacityReservation.preference", capacityReservation.preference());
      setting(field, "capacityReservation.targetId", capacityReservation.targetId());
      setting(
          field, "capacityReservation.resourceGroupArn", capacityReservation.resourceGroupArn());
    }
    setting(field, "terminateOnShutdown", terminateOnShutdown ? "true" : null);
    setting(field, "associatePublicIpAddress", associatePublicIpAddress);
    setting(field, "ipv6AddressCount", ipv6AddressCount);
  }

  private static void setting(BiConsumer<String, String> field, String name, Object value) {
    if (value != null) {
      field.accept(name, String.valueOf(value));
    }
  }
}
