package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.time.Duration;
import java.util.Collection;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Create, scale through the scale subresource, and replace instances lost behind our back. */
class FleetLifecycleIT extends OperatorTestBed {

  @Test
  void createsThreeTaggedInstancesSpreadOverTheSubnetsAndReportsReady() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet created = create(fleet(ns, "web", 3, network));

    var waited = kubectl.run("wait", "--for=condition=Ready", "sf/web", "-n", ns, "--timeout=90s");
    assertThat(waited.exitCode()).as(waited.output()).isZero();
    ServerFleet ready = awaitReady(created, 3);

    List<Instance> instances = liveInstances(ready);
    assertThat(instances).hasSize(3);
    assertThat(instances)
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrderElementsOf(network.subnetIds());
    assertThat(instances)
        .allSatisfy(
            i -> {
              assertThat(i.imageId()).isEqualTo(AMI);
              assertThat(i.tags())
                  .containsEntry(OwnershipTags.CLUSTER, cluster)
                  .containsEntry(OwnershipTags.FLEET, ns + "/web")
                  .containsEntry(OwnershipTags.FLEET_UID, ready.getMetadata().getUid())
                  .containsEntry(OwnershipTags.REVISION, ready.getStatus().getCurrentRevision())
                  .containsEntry("team", "shop")
                  .containsKey(OwnershipTags.LAUNCH)
                  .containsKey("Name");
            });
    var raw =
        moto.ec2Client()
            .describeInstances(r -> r.instanceIds(instances.stream().map(Instance::id).toList()));
    raw.reservations()
        .forEach(
            res ->
                res.instances()
                    .forEach(
                        i ->
                            assertThat(i.metadataOptions().httpTokensAsString())
                                .as("IMDSv2 on %s", i.instanceId())
                                .isEqualTo("required")));

    assertThat(ready.getStatus().getInstances()).hasSize(3);
    assertThat(ready.getStatus().getObservedGeneration())
        .isEqualTo(ready.getMetadata().getGeneration());
    assertThat(ready.getStatus().getSelector()).isEqualTo("serverfleet.dev/fleet=" + ns + ".web");
    var getOutput = kubectl.run("get", "sf", "-n", ns);
    assertThat(getOutput.stdout())
        .contains("DESIRED", "CURRENT", "READY", "AMI", "AGE")
        .contains(AMI);
  }

  @Test
  void kubectlGetPrintsTheColumnsOfKubectlGetDeployInItsOrder() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    awaitReady(create(fleet(ns, "columns", 2, network)), 2);

    var printed = kubectl.run("get", "sf", "-n", ns);
    assertThat(printed.exitCode()).as(printed.output()).isZero();
    List<List<String>> table =
        printed.stdout().lines().map(line -> List.of(line.trim().split("\\s+"))).toList();
    assertThat(table).hasSize(2);
    assertThat(table.get(0))
        .containsExactly(
            "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "AMI", "AGE");
    assertThat(table.get(1)).hasSize(8).startsWith("columns", "2", "2", "2", "2", "2", AMI);
    assertThat(table.get(1).get(7)).as("AGE").matches("\\d+[smhd].*");
  }

  @Test
  void scalesThreeToOneToFiveToZeroThroughTheScaleSubresourceKeepingSubnetsBalanced() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "scaled", 3, network)), 3);

    for (int replicas : new int[] {1, 5, 0}) {
      var scaled = kubectl.run("scale", "serverfleet/scaled", "-n", ns, "--replicas=" + replicas);
      assertThat(scaled.exitCode()).as(scaled.output()).isZero();

      ServerFleet after = awaitReady(fleet, replicas);
      assertThat(after.getSpec().getReplicas()).isEqualTo(replicas);
      List<Instance> live = liveInstances(after);
      assertThat(live).hasSize(replicas);
      assertBalanced(live, network.subnetIds());
      var scale =
          kubectl.run(
              "get",
              "--raw",
              "/apis/serverfleet.dev/v1alpha1/namespaces/" + ns + "/serverfleets/scaled/scale");
      assertThat(scale.stdout()).contains("\"replicas\":" + replicas);
    }
  }

  @Test
  void replacesAnInstanceTerminatedOutOfBand() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "healing", 2, network)), 2);
    Instance victim = liveInstances(fleet).get(0);

    moto.ec2Client().terminateInstances(r -> r.instanceIds(victim.id()));

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                liveInstances(fleet).stream().noneMatch(i -> i.id().equals(victim.id()))
                    && liveInstances(fleet).size() == 2);
    ServerFleet healed = awaitReady(fleet, 2);
    assertThat(liveInstances(healed))
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrderElementsOf(network.subnetIds());
    var events = client.v1().events().inNamespace(ns).list().getItems();
    assertThat(events).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Launched"));
  }

  @Test
  void replacesAStoppedInstance() {
    MotoServer.Network network = moto.createNetwork(1);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "stopped", 1, network)), 1);
    Instance victim = liveInstances(fleet).get(0);

    moto.ec2Client().stopInstances(r -> r.instanceIds(victim.id()));

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                liveInstances(fleet).size() == 1
                    && !liveInstances(fleet).get(0).id().equals(victim.id()));
    var state =
        moto.ec2Client()
            .describeInstances(r -> r.instanceIds(victim.id()))
            .reservations()
            .get(0)
            .instances()
            .get(0)
            .state()
            .nameAsString();
    assertThat(state).isIn("shutting-down", "terminated");
    awaitReady(fleet, 1);
  }

  static void assertBalanced(Collection<Instance> instances, List<String> subnets) {
    Map<String, Long> perSubnet =
        instances.stream()
            .collect(Collectors.groupingBy(Instance::subnetId, Collectors.counting()));
    IntSummaryStatistics stats =
        subnets.stream()
            .mapToInt(s -> perSubnet.getOrDefault(s, 0L).intValue())
            .summaryStatistics();
    assertThat(stats.getMax() - stats.getMin())
        .as("spread over subnets %s", perSubnet)
        .isLessThanOrEqualTo(1);
    assertThat(perSubnet.keySet()).isSubsetOf(subnets);
  }
}
