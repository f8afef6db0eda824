package dev.serverfleet.operator.it;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * {@link InvalidManifestIT}'s cases for volumes and instance options (template.blockDeviceMappings,
 * placement, cpuOptions, ...): what EC2 would refuse at every launch, refused at apply with a
 * message naming the field; and the limits themselves, accepted.
 */
final class LaunchOptionManifests {
  private LaunchOptionManifests() {}

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad(
            "gp3-iops-low",
            volume("volumeSize: 20, iops: 2000"),
            "ebs.iops must be 3000 to 16000 for gp3"),
        bad(
            "gp3-iops-high",
            volume("volumeSize: 20, volumeType: gp3, iops: 16001"),
            "spec.template.blockDeviceMappings[0].ebs: Invalid value: \"object\": ebs.iops must be 3000 to 16000 for gp3"),
        bad(
            "io1-without-iops",
            volume("volumeSize: 100, volumeType: io1"),
            "ebs.iops is required for io1 volumes: 100 to 64000"),
        bad(
            "io1-iops-high",
            volume("volumeSize: 100, volumeType: io1, iops: 64001"),
            "ebs.iops is required for io1 volumes: 100 to 64000"),
        bad(
            "io2-without-iops",
            volume("volumeSize: 100, volumeType: io2"),
            "ebs.iops is required for io2 volumes: 100 to 256000"),
        bad(
            "iops-on-gp2",
            volume("volumeSize: 20, volumeType: gp2, iops: 3000"),
            "ebs.iops may only be set for gp3, io1 and io2 volumes"),
        bad(
            "throughput-on-io2",
            volume("volumeSize: 20, volumeType: io2, iops: 1000, throughput: 200"),
            "ebs.throughput may only be set for gp3 volumes"),
        bad(
            "throughput-high",
            volume("volumeSize: 20, throughput: 1001"),
            "spec.template.blockDeviceMappings[0].ebs.throughput in body should be less than or equal to 1000"),
        bad(
            "gp3-too-large",
            volume("volumeSize: 16385"),
            "ebs.volumeSize must be 1 to 16384 GiB for gp2 and gp3"),
        bad(
            "st1-too-small",
            volume("volumeSize: 124, volumeType: st1"),
            "ebs.volumeSize must be 125 to 16384 GiB for st1 and sc1"),
        bad(
            "io2-too-small",
            volume("volumeSize: 3, volumeType: io2, iops: 100"),
            "ebs.volumeSize must be 4 to 65536 GiB for io2"),
        bad(
            "standard-too-large",
            volume("volumeSize: 1025, volumeType: standard"),
            "ebs.volumeSize must be 1 to 1024 GiB for standard"),
        bad(
            "kms-key-unencrypted",
            volume("volumeSize: 20, encrypted: false, kmsKeyId: alias/web"),
            "ebs.kmsKeyId may only be set when ebs.encrypted is true (the default)"),
        bad(
            "unknown-volume-type",
            volume("volumeSize: 20, volumeType: gp4"),
            "spec.template.blockDeviceMappings[0].ebs.volumeType: Unsupported value: \"gp4\""),
        bad(
            "mapping-without-ebs",
            "blockDeviceMappings: [{deviceName: /dev/xvda}]",
            "spec.template.blockDeviceMappings[0].ebs: Required value"),
        bad(
            "repeated-device",
            "blockDeviceMappings: [{deviceName: /dev/sdf, ebs: {volumeSize: 1}}, {deviceName: /dev/sdf, ebs: {volumeSize: 2}}]",
            "blockDeviceMappings must not repeat a deviceName"),
        bad(
            "too-many-mappings",
            "blockDeviceMappings: " + mappings(17),
            "spec.template.blockDeviceMappings: Too many: 17: must have at most 16 items"),
        bad(
            "malformed-snapshot",
            volume("snapshotId: snap-xyz"),
            "spec.template.blockDeviceMappings[0].ebs.snapshotId in body should match"),
        bad(
            "shutdown-stop",
            "instanceInitiatedShutdownBehavior: stop",
            "instanceInitiatedShutdownBehavior may only be terminate: the fleet replaces stopped instances"),
        bad(
            "credits-not-burstable",
            "instanceType: m5.large\ncreditSpecification: {cpuCredits: unlimited}",
            "creditSpecification is only for burstable (T family) instance types such as t3.micro"),
        bad(
            "partition-without-group",
            "placement: {partitionNumber: 2}",
            "placement.partitionNumber needs placement.groupName"),
        bad(
            "bad-tenancy",
            "placement: {tenancy: shared}",
            "spec.template.placement.tenancy: Unsupported value: \"shared\""),
        bad(
            "spot-on-host",
            "capacityType: spot\nplacement: {tenancy: host}",
            "placement.tenancy host cannot be used with capacityType spot"),
        bad(
            "capacity-and-shorthand",
            "capacityType: spot\ncapacity: {type: spot}",
            "set capacityType or capacity, not both: capacityType: spot is shorthand for"),
        bad(
            "capacity-without-type",
            "capacity: {onDemandBase: 1}",
            "spec.template.capacity.type: Required value"),
        bad(
            "capacity-mix-on-demand",
            "capacity: {type: on-demand, onDemandBase: 2}",
            "capacity.onDemandBase, capacity.onDemandPercentageAboveBase and"
                + " capacity.spotFallbackToOnDemand apply only to capacity.type spot"),
        bad(
            "capacity-fallback-on-demand",
            "capacity: {type: on-demand, spotFallbackToOnDemand: true}",
            "apply only to capacity.type spot"),
        bad(
            "capacity-percentage-high",
            "capacity: {type: spot, onDemandPercentageAboveBase: 101}",
            "spec.template.capacity.onDemandPercentageAboveBase in body should be less than or"
                + " equal to 100"),
        bad(
            "capacity-base-negative",
            "capacity: {type: spot, onDemandBase: -1}",
            "spec.template.capacity.onDemandBase in body should be greater than or equal to 0"),
        bad(
            "capacity-spot-on-host",
            "capacity: {type: spot}\nplacement: {tenancy: host}",
            "placement.tenancy host cannot be used with capacityType spot (or capacity.type spot)"),
        bad(
            "half-cpu-options",
            "cpuOptions: {coreCount: 2}",
            "cpuOptions needs both coreCount and threadsPerCore, as EC2 does"),
        bad(
            "three-threads",
            "cpuOptions: {coreCount: 2, threadsPerCore: 3}",
            "spec.template.cpuOptions.threadsPerCore in body should be less than or equal to 2"),
        bad(
            "reservation-preference-and-target",
            "capacityReservation: {preference: open, target: {id: cr-0123456789abcdef0}}",
            "capacityReservation needs exactly one of preference or target"),
        bad(
            "reservation-target-twice",
            "capacityReservation: {target: {id: cr-0123456789abcdef0, resourceGroupArn: \"arn:aws:resource-groups:us-east-1:123456789012:group/crs\"}}",
            "capacityReservation.target needs exactly one of id or resourceGroupArn"),
        bad(
            "negative-ipv6",
            "ipv6AddressCount: -1",
            "spec.template.ipv6AddressCount in body should be greater than or equal to 0"));
  }

  /** EC2's limits themselves, and every option at once: accepted. */
  static Stream<Arguments> valid() {
    return Stream.of(
        good("largest-io2", volume("volumeSize: 65536, volumeType: io2, iops: 256000")),
        good(
            "fastest-gp3",
            volume("volumeSize: 16384, volumeType: gp3, iops: 16000, throughput: 1000")),
        good("smallest-st1", volume("volumeSize: 125, volumeType: st1")),
        good("kms-key-encrypted-by-default", volume("volumeSize: 20, kmsKeyId: alias/web")),
        good(
            "snapshot-without-size",
            volume("snapshotId: snap-0123456789abcdef0, encrypted: false")),
        good("most-mappings", "blockDeviceMappings: " + mappings(16)),
        good(
            "every-option",
            "placement: {groupName: web-pg, tenancy: dedicated, partitionNumber: 7}\n"
                + "cpuOptions: {coreCount: 1, threadsPerCore: 1}\n"
                + "creditSpecification: {cpuCredits: unlimited}\n"
                + "ebsOptimized: true\n"
                + "monitoring: {detailed: true}\n"
                + "hibernation: {configured: true}\n"
                + "capacityReservation: {preference: none}\n"
                + "instanceInitiatedShutdownBehavior: terminate\n"
                + "associatePublicIpAddress: true\n"
                + "ipv6AddressCount: 64"),
        good("spot-dedicated", "capacityType: spot\nplacement: {tenancy: dedicated}"),
        good(
            "capacity-mix-at-the-limits",
            "capacity: {type: spot, onDemandBase: 10000, onDemandPercentageAboveBase: 100,"
                + " spotFallbackToOnDemand: true}"),
        good("capacity-on-demand", "capacity: {type: on-demand}"),
        good("capacity-spot-only-type", "capacity: {type: spot}"));
  }

  private static String volume(String ebs) {
    return "blockDeviceMappings: [{deviceName: /dev/xvda, ebs: {" + ebs + "}}]";
  }

  /** {@code count} distinct 1 GiB volumes, /dev/sdb1 and on. */
  private static String mappings(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "{deviceName: /dev/sdb" + (i + 1) + ", ebs: {volumeSize: 1}}")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static Arguments bad(String name, String override, String expected) {
    return Arguments.of(name, name, InvalidManifestIT.manifest(name, override), expected);
  }

  private static Arguments good(String name, String override) {
    return Arguments.of(name, InvalidManifestIT.manifest(name, override));
  }
}
