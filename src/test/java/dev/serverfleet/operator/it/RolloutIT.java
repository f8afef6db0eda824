package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.api.v1alpha1.StrategyType;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.FleetSampler;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Template changes roll out as Deployments do, watched from EC2's side the whole time. */
class RolloutIT extends OperatorTestBed {

  @Test
  void amiChangeWithSurgeOneNeverDropsBelowFourRunningNorExceedsFive() throws Exception {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "web", 4, network);
    spec.getSpec().setStrategy(rolling(1, 0));
    ServerFleet fleet = awaitReady(create(spec), 4);
    String uid = fleet.getMetadata().getUid();

    try (FleetSampler sampler = FleetSampler.start(() -> allInstances(uid))) {
      setAmi(ns, "web", AMI_V2);
      ServerFleet done = awaitRolledOut(fleet, 4, AMI_V2);

      assertThat(sampler.minRunning())
          .as("running instances at every sample")
          .isGreaterThanOrEqualTo(4);
      assertThat(sampler.maxLive()).as("pending + running at every sample").isLessThanOrEqualTo(5);
      assertThat(sampler.samples()).as("EC2 was sampled throughout").isGreaterThan(10);
      assertThat(done.getStatus().getUpdatedReplicas()).isEqualTo(4);
      assertThat(done.getStatus().getRevisions()).hasSize(1);
    }
    var waited = kubectl.run("wait", "--for=condition=Ready", "sf/web", "-n", ns, "--timeout=60s");
    assertThat(waited.exitCode()).as(waited.output()).isZero();
    var events = client.v1().events().inNamespace(ns).list().getItems();
    assertThat(events)
        .anySatisfy(e -> assertThat(e.getMessage()).contains("replaced by the current revision"));
  }

  @Test
  void recreateTerminatesEveryOldInstanceBeforeLaunchingNewOnes() throws Exception {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "batch", 3, network);
    Strategy recreate = new Strategy();
    recreate.setType(StrategyType.Recreate);
    spec.getSpec().setStrategy(recreate);
    ServerFleet fleet = awaitReady(create(spec), 3);
    String uid = fleet.getMetadata().getUid();

    try (FleetSampler sampler = FleetSampler.start(() -> allInstances(uid))) {
      setAmi(ns, "batch", AMI_V2);
      awaitRolledOut(fleet, 3, AMI_V2);

      assertThat(sampler.mixedSamples()).as("samples with old and new AMIs live together").isZero();
      assertThat(sampler.maxLive()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void pausedFleetHoldsItsRolloutAndScalesThenResumes() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "held", 2, network)), 2);

    patch(ns, "held", "{\"spec\":{\"paused\":true,\"template\":{\"amiId\":\"" + AMI_V2 + "\"}}}");
    await()
        .atMost(60, TimeUnit.SECONDS)
        .until(() -> condition(get(ns, "held"), "Progressing").equals("Unknown/Paused"));
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(8))
        .until(() -> liveInstances(fleet).stream().allMatch(i -> AMI.equals(i.imageId())));

    kubectl.run("scale", "sf/held", "-n", ns, "--replicas=3");
    await().atMost(60, TimeUnit.SECONDS).until(() -> liveInstances(fleet).size() == 3);
    assertThat(liveInstances(fleet)).filteredOn(i -> AMI.equals(i.imageId())).hasSize(2);

    patch(ns, "held", "{\"spec\":{\"paused\":false}}");
    awaitRolledOut(fleet, 3, AMI_V2);
  }

  @Test
  void restartAnnotationReplacesEveryInstanceWithTheSameAmi() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "bounce", 2, network)), 2);
    Set<String> before = ids(liveInstances(fleet));
    String revision = fleet.getStatus().getCurrentRevision();

    var annotated =
        kubectl.run(
            "annotate", "sf/bounce", "-n", ns, ServerFleet.RESTARTED_AT + "=2026-11-27T08:00:00Z");
    assertThat(annotated.exitCode()).as(annotated.output()).isZero();

    await()
        .atMost(120, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              List<Instance> live = liveInstances(fleet);
              return live.size() == 2 && live.stream().noneMatch(i -> before.contains(i.id()));
            });
    ServerFleet done = awaitReady(fleet, 2);
    assertThat(done.getStatus().getCurrentRevision()).isNotEqualTo(revision);
    assertThat(liveInstances(done)).allSatisfy(i -> assertThat(i.imageId()).isEqualTo(AMI));
  }

  @Test
  void aProtectedInstanceIsKeptThroughRolloutAndScaleIn() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "guarded", 3, network)), 3);
    String keep = liveInstances(fleet).get(0).id();
    moto.ec2Client()
        .createTags(
            r ->
                r.resources(keep)
                    .tags(Tag.builder().key(OwnershipTags.PROTECTED).value("true").build()));

    setAmi(ns, "guarded", AMI_V2);
    await()
        .atMost(120, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              List<Instance> live = liveInstances(fleet);
              return live.size() == 3
                  && live.stream().filter(i -> AMI_V2.equals(i.imageId())).count() == 2
                  && condition(get(ns, "guarded"), "Progressing").contains("protected");
            });
    ServerFleet waiting = get(ns, "guarded");
    assertThat(waiting.getStatus().getProtectedReplicas()).isEqualTo(1);
    assertThat(ids(liveInstances(fleet))).contains(keep);

    kubectl.run("scale", "sf/guarded", "-n", ns, "--replicas=1");
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> liveInstances(fleet).size() == 1);
    assertThat(ids(liveInstances(fleet))).containsExactly(keep);
  }

  @Test
  void sevenReplicasOverThreeSubnetsAreSpreadThreeTwoTwo() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "spread", 7, network)), 7);

    Map<String, Long> perSubnet =
        liveInstances(fleet).stream()
            .collect(Collectors.groupingBy(Instance::subnetId, Collectors.counting()));
    assertThat(perSubnet.values()).containsExactlyInAnyOrder(3L, 2L, 2L);
    assertThat(perSubnet.get(network.subnetIds().get(0))).isEqualTo(3L);
    var printed = kubectl.run("get", "sf", "spread", "-n", ns);
    assertThat(printed.stdout()).contains("UP-TO-DATE");
  }

  private static RollingUpdate rollingUpdate(int surge, int unavailable) {
    RollingUpdate r = new RollingUpdate();
    r.setMaxSurge(new IntOrString(surge));
    r.setMaxUnavailable(new IntOrString(unavailable));
    return r;
  }

  private static Strategy rolling(int surge, int unavailable) {
    Strategy s = new Strategy();
    s.setType(StrategyType.RollingUpdate);
    s.setRollingUpdate(rollingUpdate(surge, unavailable));
    return s;
  }

  private static void setAmi(String ns, String name, String ami) {
    patch(ns, name, "{\"spec\":{\"template\":{\"amiId\":\"" + ami + "\"}}}");
  }

  private static void patch(String ns, String name, String mergePatch) {
    var patched = kubectl.run("patch", "sf/" + name, "-n", ns, "--type=merge", "-p", mergePatch);
    assertThat(patched.exitCode()).as(patched.output()).isZero();
  }

  private static ServerFleet awaitRolledOut(ServerFleet fleet, int n, String ami) {
    await()
        .atMost(180, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              List<Instance> live = liveInstances(fleet);
              return live.size() == n && live.stream().allMatch(i -> ami.equals(i.imageId()));
            });
    ServerFleet done = awaitReady(fleet, n);
    assertThat(condition(done, "Progressing")).isEqualTo("True/RolloutComplete");
    return done;
  }

  private static List<Instance> allInstances(String uid) {
    return ec2.describeOwned(cluster).stream().filter(i -> i.ownedBy(cluster, uid)).toList();
  }

  private static String condition(ServerFleet fleet, String type) {
    if (fleet == null || fleet.getStatus() == null) {
      return "";
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
        .map(
            s ->
                s.startsWith("Unknown/Paused")
                    ? "Unknown/Paused"
                    : s.startsWith("True/RolloutComplete") ? "True/RolloutComplete" : s)
        .findFirst()
        .orElse("");
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }
}
