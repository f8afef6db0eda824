package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.planning.Revision;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The defaults of volumes and instance options: each written explicitly gives the same launch
 * settings and the same revision as when omitted, and the revision history stores and restores
 * every new field.
 */
class InstanceOptionDefaultsTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private static final String BASE =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleet
      metadata: {name: web, namespace: shop, uid: 11111111-2222-3333-4444-555555555555}
      spec:
        replicas: 2
        template:
          amiId: ami-0abcdef1234567890
          instanceType: t3.micro
          subnetIds: [subnet-0aaaaaaaaaaaaaaaa]
          securityGroupIds: [sg-0123456789abcdef0]
      """;

  static Stream<Arguments> sameAsOmitted() {
    return Stream.of(
        Arguments.of(
            "volume defaults written out",
            "blockDeviceMappings: [{deviceName: /dev/xvda, ebs: {volumeSize: 20}}]",
            "blockDeviceMappings: [{deviceName: /dev/xvda, ebs: {volumeSize: 20, volumeType: gp3,"
                + " encrypted: true, deleteOnTermination: true}}]"),
        Arguments.of("default tenancy", "", "placement: {tenancy: default}"),
        Arguments.of("empty placement", "", "placement: {}"),
        Arguments.of("basic monitoring", "", "monitoring: {detailed: false}"),
        Arguments.of("no hibernation", "", "hibernation: {configured: false}"),
        Arguments.of("not EBS-optimized", "", "ebsOptimized: false"),
        Arguments.of("no mappings", "", "blockDeviceMappings: []"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sameAsOmitted")
  void aDefaultWrittenExplicitlyChangesNothing(String label, String omitted, String explicit) {
    var a = SpecDefaults.launchSettings(fleet(omitted).getSpec().getTemplate());
    var b = SpecDefaults.launchSettings(fleet(explicit).getSpec().getTemplate());

    assertThat(b).isEqualTo(a);
    assertThat(Revision.of(b)).isEqualTo(Revision.of(a));
  }

  @Test
  void appliesTheVolumeDefaultsAndSendsNothingElseUnasked() {
    var options =
        SpecDefaults.launchSettings(
                fleet("blockDeviceMappings: [{deviceName: /dev/xvda, ebs: {volumeSize: 20}}]")
                    .getSpec()
                    .getTemplate())
            .instanceOptions();

    assertThat(options.blockDevices())
        .containsExactly(
            new InstanceOptions.BlockDevice(
                "/dev/xvda", 20, "gp3", null, null, true, null, null, true));
    assertThat(options)
        .isEqualTo(
            new InstanceOptions(
                options.blockDevices(),
                null,
                null,
                null,
                false,
                false,
                false,
                null,
                false,
                null,
                null));
  }

  @Test
  void convertsEveryOptionToEc2Names() {
    var options =
        SpecDefaults.launchSettings(fleet(EVERYTHING).getSpec().getTemplate()).instanceOptions();

    assertThat(options)
        .isEqualTo(
            new InstanceOptions(
                List.of(
                    new InstanceOptions.BlockDevice(
                        "/dev/xvda", 30, "io2", 4000, null, true, "alias/web", null, false)),
                new InstanceOptions.Placement("web-pg", "dedicated", 3),
                new InstanceOptions.CpuOptions(1, 1),
                "unlimited",
                true,
                true,
                true,
                new InstanceOptions.CapacityReservation(null, "cr-0123456789abcdef0", null),
                true,
                false,
                1));
  }

  @Test
  void theRevisionHistoryStoresAndRestoresEveryOption() {
    ServerFleet fleet = fleet(EVERYTHING);
    var stored =
        SpecDefaults.revisionData(
            fleet, SpecDefaults.launchSettings(fleet.getSpec().getTemplate()));
    // what the ControllerRevision holds goes through JSON, as the API server stores it
    var readBack = JSON.unmarshal(JSON.asJson(stored), stored.getClass());

    ServerFleet restored = SpecDefaults.withRevision(fleet(""), readBack);

    assertThat(SpecDefaults.launchSettings(restored.getSpec().getTemplate()))
        .isEqualTo(SpecDefaults.launchSettings(fleet.getSpec().getTemplate()));
    assertThat(readBack.template().getBlockDeviceMappings().get(0).getEbs().getEncrypted())
        .as("the volume defaults are written out in the stored revision")
        .isTrue();
  }

  private static final String EVERYTHING =
      """
      blockDeviceMappings:
        - deviceName: /dev/xvda
          ebs: {volumeSize: 30, volumeType: io2, iops: 4000, kmsKeyId: alias/web, deleteOnTermination: false}
      placement: {groupName: web-pg, tenancy: dedicated, partitionNumber: 3}
      cpuOptions: {coreCount: 1, threadsPerCore: 1}
      creditSpecification: {cpuCredits: unlimited}
      ebsOptimized: true
      monitoring: {detailed: true}
      hibernation: {configured: true}
      capacityReservation: {target: {id: cr-0123456789abcdef0}}
      instanceInitiatedShutdownBehavior: terminate
      associatePublicIpAddress: false
      ipv6AddressCount: 1
      """;

  /** The base fleet with these lines added to its template. */
  private static ServerFleet fleet(String templateLines) {
    StringBuilder yaml = new StringBuilder(BASE);
    templateLines.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
    return JSON.unmarshal(yaml.toString(), ServerFleet.class);
  }
}
