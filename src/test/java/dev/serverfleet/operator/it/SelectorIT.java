package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.AmiSelector;
import dev.serverfleet.operator.api.v1alpha1.ResolvedSubnet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.TagSelector;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.FleetSampler;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Fleets whose AMI comes from an SSM parameter and whose subnets come from tags, on the real API
 * server and moto (SSM and EC2), with the in-process operator looking selectors up every 2 s.
 */
class SelectorIT extends OperatorTestBed {

  @Test
  void aFleetBySsmParameterAndSubnetTagsRollsWhenTheParameterMovesButNotWhilePaused() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    MotoServer.Network network = moto.createNetwork(3);
    tagSubnets(network.subnetIds().subList(0, 2), id);
    String parameter = "/serverfleet/" + id + "/ami";
    putParameter(parameter, AMI);
    String ns = newNamespace();
    moto.ec2Client()
        .createTags(
            r ->
                r.resources(network.securityGroupId())
                    .tags(Tag.builder().key("sf-selector-" + id).value("web").build()));
    ServerFleet wanted = selecting(ns, "web", 2, parameter, id);
    wanted
        .getSpec()
        .getTemplate()
        .setSecurityGroupSelector(new TagSelector(Map.of("sf-selector-" + id, "web")));
    ServerFleet fleet = create(wanted);

    ServerFleet ready = awaitReady(fleet, 2);
    assertThat(ready.getStatus().getResolvedAmiId()).isEqualTo(AMI);
    assertThat(ready.getStatus().getSecurityGroupIds()).containsExactly(network.securityGroupId());
    assertThat(ready.getStatus().getSubnets())
        .containsExactlyInAnyOrder(
            new ResolvedSubnet(network.subnetIds().get(0), "us-east-1a"),
            new ResolvedSubnet(network.subnetIds().get(1), "us-east-1b"));
    assertThat(liveInstances(ready))
        .extracting(Instance::zone)
        .as("one instance in each selected zone")
        .containsExactlyInAnyOrder("us-east-1a", "us-east-1b");
    var table = kubectl.run("get", "sf", "web", "-n", ns);
    assertThat(table.output()).as(table.output()).contains(AMI);
    var subnets = kubectl.run("get", "sf", "web", "-n", ns, "-o", "jsonpath={.status.subnets}");
    LoggerFactory.getLogger(SelectorIT.class)
        .info("kubectl get sf:\n{}\nstatus.subnets: {}", table.output(), subnets.output());
    Set<String> first = ids(liveInstances(ready));

    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("web")
        .edit(
            f -> {
              f.getSpec().setPaused(true);
              return f;
            });
    putParameter(parameter, AMI_V2);
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> AMI_V2.equals(get(ns, "web").getStatus().getResolvedAmiId()));
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> ids(liveInstances(fleet)).equals(first));
    assertThat(get(ns, "web").getStatus().getCurrentRevision())
        .isNotEqualTo(ready.getStatus().getCurrentRevision());

    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("web")
        .edit(
            f -> {
              f.getSpec().setPaused(false);
              return f;
            });
    await()
        .atMost(180, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              List<Instance> live = liveInstances(fleet);
              return live.size() == 2 && live.stream().allMatch(i -> AMI_V2.equals(i.imageId()));
            });
    ServerFleet rolled = awaitReady(fleet, 2);
    assertThat(rolled.getMetadata().getGeneration())
        .as("the spec changed only for paused; the image came from SSM")
        .isEqualTo(3L);
    table = kubectl.run("get", "sf", "web", "-n", ns);
    assertThat(table.output()).as(table.output()).contains(AMI_V2);
  }

  @Test
  void aSubnetWhoseTagIsRemovedIsDrainedLaunchFirst() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    MotoServer.Network network = moto.createNetwork(3);
    tagSubnets(network.subnetIds(), id);
    String parameter = "/serverfleet/" + id + "/ami";
    putParameter(parameter, AMI);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(selecting(ns, "web", 3, parameter, id)), 3);
    String leaving = network.subnetIds().get(0);
    assertThat(liveInstances(fleet)).extracting(Instance::subnetId).contains(leaving);
    String uid = fleet.getMetadata().getUid();

    try (FleetSampler sampler = FleetSampler.start(() -> allInstances(uid))) {
      moto.ec2Client()
          .deleteTags(
              r -> r.resources(leaving).tags(Tag.builder().key("sf-selector-" + id).build()));
      await()
          .atMost(120, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                List<Instance> live = liveInstances(fleet);
                return live.size() == 3
                    && live.stream().noneMatch(i -> leaving.equals(i.subnetId()));
              });
      assertThat(sampler.minRunning())
          .as("running instances at every sample: the replacement came first")
          .isGreaterThanOrEqualTo(3);
      assertThat(sampler.samples()).as("EC2 was sampled throughout").isGreaterThan(5);
    }
    ServerFleet after = awaitReady(fleet, 3);
    assertThat(after.getStatus().getSubnets())
        .extracting(ResolvedSubnet::id)
        .containsExactlyInAnyOrderElementsOf(network.subnetIds().subList(1, 3));
  }

  @Test
  void aSelectorThatMatchesNothingIsDegradedAndLeavesTheInstancesAlone() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    MotoServer.Network network = moto.createNetwork(2);
    tagSubnets(network.subnetIds(), id);
    String parameter = "/serverfleet/" + id + "/ami";
    putParameter(parameter, AMI);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(selecting(ns, "web", 2, parameter, id)), 2);
    Set<String> before = ids(liveInstances(fleet));

    moto.ec2Client()
        .deleteTags(
            r ->
                r.resources(network.subnetIds())
                    .tags(Tag.builder().key("sf-selector-" + id).build()));
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degraded(get(ns, "web")).startsWith("True/SelectorFailed"));
    // scaled once the lookup has failed: until then the last answer (2 s old at most) stands
    var scaled = kubectl.run("scale", "sf/web", "-n", ns, "--replicas=4");
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    assertThat(degraded(get(ns, "web")))
        .isEqualTo(
            "True/SelectorFailed: spec.template.subnetSelector (tags={sf-selector-"
                + id
                + "=web}): no subnet carries these tags");
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> ids(liveInstances(fleet)).equals(before));
    var events = client.v1().events().inNamespace(ns).list().getItems();
    assertThat(events)
        .filteredOn(e -> "SelectorFailed".equals(e.getReason()))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));

    String missing = "/serverfleet/" + id + "/missing";
    ServerFleet orphan = selecting(ns, "nothing", 1, missing, id);
    create(orphan);
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                degraded(get(ns, "nothing"))
                    .equals(
                        "True/SelectorFailed: spec.template.amiSelector.ssmParameter "
                            + missing
                            + ": no such SSM parameter"));
    assertThat(liveInstances(get(ns, "nothing"))).isEmpty();
  }

  private static ServerFleet selecting(
      String ns, String name, int replicas, String parameter, String id) {
    ServerFleet fleet = fleet(ns, name, replicas, moto.createNetwork(1));
    AmiSelector ami = new AmiSelector();
    ami.setSsmParameter(parameter);
    fleet.getSpec().getTemplate().setAmiId(null);
    fleet.getSpec().getTemplate().setAmiSelector(ami);
    fleet.getSpec().getTemplate().setSubnetIds(null);
    fleet.getSpec().getTemplate().setSecurityGroupIds(null);
    fleet
        .getSpec()
        .getTemplate()
        .setSubnetSelector(new TagSelector(Map.of("sf-selector-" + id, "web")));
    return fleet;
  }

  private static void tagSubnets(List<String> subnets, String id) {
    moto.ec2Client()
        .createTags(
            r ->
                r.resources(subnets)
                    .tags(Tag.builder().key("sf-selector-" + id).value("web").build()));
  }

  private static void putParameter(String name, String value) {
    moto.ssmClient().putParameter(r -> r.name(name).value(value).type("String").overwrite(true));
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }

  private static List<Instance> allInstances(String uid) {
    return ec2.describeOwned(cluster).stream().filter(i -> i.ownedBy(cluster, uid)).toList();
  }

  private static String degraded(ServerFleet fleet) {
    if (fleet == null || fleet.getStatus() == null) {
      return "";
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse("");
  }
}
