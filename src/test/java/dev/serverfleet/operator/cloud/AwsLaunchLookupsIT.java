package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.cloud.LaunchLookups.Image;
import dev.serverfleet.operator.cloud.LaunchLookups.Subnet;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.MotoServer.Network;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * {@link AwsLaunchLookups} against moto: what SSM and EC2 answer to each lookup, and what moto
 * supports of it (the public Amazon Linux parameters, owner and tag filters on images).
 */
class AwsLaunchLookupsIT {
  private static MotoServer moto;
  private static Ec2Client raw;
  private static AwsLaunchLookups lookups;

  @BeforeAll
  static void startMoto() {
    moto = MotoServer.shared();
    raw = moto.ec2Client();
    lookups = moto.launchLookups();
  }

  @Test
  void anSsmParameterIsReadAndAMissingOneIsEmpty() {
    String name = "/serverfleet/" + UUID.randomUUID() + "/ami";
    moto.ssmClient().putParameter(r -> r.name(name).value("ami-0abcdef1234567890").type("String"));
    assertThat(lookups.ssmParameter(name)).contains("ami-0abcdef1234567890");
    assertThat(lookups.ssmParameter(name + "-missing")).isEmpty();
  }

  @Test
  void motoServesThePublicAmazonLinuxParametersAndTheTestBedHasTheirImage() {
    String ami =
        lookups
            .ssmParameter("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
            .orElseThrow();
    assertThat(ami).matches(FleetTemplate.AMI_PATTERN);
    // scripts/moto/amis.json carries it, so a fleet following the parameter launches in moto
    assertThat(new AwsEc2(raw).existingImages(List.of(ami))).containsExactly(ami);
  }

  @Test
  void imagesMatchByNameOwnersAndTags() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    Network network = moto.createNetwork(1);
    String instance =
        raw.runInstances(
                r ->
                    r.imageId("ami-0abcdef1234567890")
                        .instanceType("t3.micro")
                        .minCount(1)
                        .maxCount(1)
                        .subnetId(network.subnetIds().get(0)))
            .instances()
            .get(0)
            .instanceId();
    String tagged = raw.createImage(r -> r.instanceId(instance).name("sel-" + id + "-1")).imageId();
    raw.createTags(
        r -> r.resources(tagged).tags(Tag.builder().key("role").value("web-" + id).build()));
    String untagged =
        raw.createImage(r -> r.instanceId(instance).name("sel-" + id + "-2")).imageId();

    assertThat(lookups.images("sel-" + id + "-*", List.of("self"), Map.of()))
        .extracting(Image::id)
        .containsExactlyInAnyOrder(tagged, untagged);
    assertThat(lookups.images("sel-" + id + "-*", List.of(), Map.of("role", "web-" + id)))
        .extracting(Image::id)
        .containsExactly(tagged);
    assertThat(lookups.images("sel-" + id + "-?", List.of("999999999999"), Map.of())).isEmpty();
    assertThat(lookups.images("sel-" + id + "-*", List.of(), Map.of()))
        .allSatisfy(i -> assertThat(i.created()).isNotNull());
  }

  @Test
  void subnetsAndSecurityGroupsMatchByTagsAndAStarMatchesAnyValue() {
    String key = "sel-" + UUID.randomUUID().toString().substring(0, 8);
    Network network = moto.createNetwork(3);
    raw.createTags(
        r ->
            r.resources(network.subnetIds().subList(0, 2))
                .tags(Tag.builder().key(key).value("web").build()));
    raw.createTags(
        r ->
            r.resources(network.subnetIds().get(2), network.securityGroupId())
                .tags(Tag.builder().key(key).value("db").build()));

    assertThat(lookups.subnets(Map.of(key, "web")))
        .containsExactlyInAnyOrder(
            new Subnet(network.subnetIds().get(0), "us-east-1a"),
            new Subnet(network.subnetIds().get(1), "us-east-1b"));
    assertThat(lookups.subnets(Map.of(key, "*"))).hasSize(3);
    assertThat(lookups.subnets(Map.of(key, "none"))).isEmpty();
    assertThat(lookups.securityGroups(Map.of(key, "db")))
        .containsExactly(network.securityGroupId());
    assertThat(lookups.securityGroups(Map.of(key, "web"))).isEmpty();
  }
}
