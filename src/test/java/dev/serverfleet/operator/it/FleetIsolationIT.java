package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Fleets never touch each other's instances, nor anything this operator did not launch. */
class FleetIsolationIT extends OperatorTestBed {

  @Test
  void twoFleetsAndForeignInstancesInTheSameSubnetsNeverTouchEachOther() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    String untagged = runForeign(network, List.of());
    String otherCluster =
        runForeign(
            network,
            List.of(
                Tag.builder().key(OwnershipTags.CLUSTER).value("someone-else").build(),
                Tag.builder().key(OwnershipTags.FLEET).value(ns + "/alpha").build()));

    ServerFleet alpha = awaitReady(create(fleet(ns, "alpha", 3, network)), 3);
    ServerFleet beta = awaitReady(create(fleet(ns, "beta", 2, network)), 2);
    List<String> betaIds = liveInstances(beta).stream().map(Instance::id).toList();

    var scaled = kubectl.run("scale", "sf/alpha", "-n", ns, "--replicas=0");
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    awaitReady(alpha, 0);
    client.resource(get(ns, "alpha")).delete();

    ServerFleet betaAfter = awaitReady(beta, 2);
    assertThat(liveInstances(betaAfter))
        .extracting(Instance::id)
        .containsExactlyInAnyOrderElementsOf(betaIds);
    assertThat(state(untagged)).isEqualTo("running");
    assertThat(state(otherCluster)).isEqualTo("running");
    assertThat(betaAfter.getStatus().getInstances())
        .extracting(i -> i.id())
        .doesNotContain(untagged, otherCluster);
  }

  private static String runForeign(MotoServer.Network network, List<Tag> tags) {
    var request =
        software.amazon.awssdk.services.ec2.model.RunInstancesRequest.builder()
            .imageId(AMI)
            .instanceType("t3.micro")
            .minCount(1)
            .maxCount(1)
            .subnetId(network.subnetIds().get(0));
    if (!tags.isEmpty()) {
      request.tagSpecifications(
          TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build());
    }
    return moto.ec2Client().runInstances(request.build()).instances().get(0).instanceId();
  }

  private static String state(String id) {
    return moto.ec2Client()
        .describeInstances(r -> r.instanceIds(id))
        .reservations()
        .get(0)
        .instances()
        .get(0)
        .state()
        .nameAsString();
  }
}
