package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.Checkpoints;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Revision history, undo, checkpoints and automatic rollback on the real kube-apiserver and moto:
 * the ControllerRevisions as kubectl sees them, the annotation kubectl sf sets, instances stopped
 * and AMIs deregistered in moto.
 */
class RolloutSafetyIT extends OperatorTestBed {

  @Test
  void historyIsKeptInControllerRevisionsAndUndoWritesTheTemplateBack() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "web", 2, network);
    spec.getMetadata().setAnnotations(Map.of(FleetRevisions.CHANGE_CAUSE, "first release"));
    // characters the API server's JSON encoder escapes and ours does not: the stored data must
    // still read as unchanged when a revision is renumbered or annotated
    spec.getSpec()
        .getTemplate()
        .setUserData("#!/bin/bash\necho \"<h1>caf\u00e9 & more</h1>\" > /srv/index.html\n");
    ServerFleet fleet = awaitReady(create(spec), 2);
    String first = fleet.getStatus().getCurrentRevision();
    setAmi(ns, "web", AMI_V2);
    awaitAmi(fleet, 2, AMI_V2);
    String second = get(ns, "web").getStatus().getCurrentRevision();

    List<ControllerRevision> history = revisions(ns, fleet);
    assertThat(history)
        .extracting(r -> r.getMetadata().getName() + "#" + r.getRevision())
        .containsExactly("web-" + first + "#1", "web-" + second + "#2");
    ControllerRevision one = history.get(0);
    assertThat(one.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(fleet.getMetadata().getUid()));
    assertThat(one.getMetadata().getLabels())
        .containsEntry(FleetRevisions.REVISION, first)
        .containsEntry(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid());
    assertThat(one.getMetadata().getAnnotations())
        .containsEntry(FleetRevisions.CHANGE_CAUSE, "first release")
        .containsKey(FleetRevisions.COMPLETED_AT);
    var table =
        kubectl.run(
            "get",
            "controllerrevisions",
            "-n",
            ns,
            "-l",
            FleetRevisions.FLEET_UID + "=" + fleet.getMetadata().getUid());
    assertThat(table.output()).contains("web-" + first, "web-" + second);

    var annotated = kubectl.run("annotate", "sf/web", "-n", ns, ServerFleet.ROLLBACK_TO + "=1");
    assertThat(annotated.exitCode()).as(annotated.output()).isZero();
    awaitAmi(fleet, 2, AMI);
    ServerFleet back = awaitReady(fleet, 2);
    assertThat(back.getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(back.getSpec().getTemplate().getSubnetIds()).isEqualTo(network.subnetIds());
    assertThat(back.getMetadata().getAnnotations()).doesNotContainKey(ServerFleet.ROLLBACK_TO);
    assertThat(back.getStatus().getCurrentRevision()).isEqualTo(first);
    assertThat(back.getStatus().getRollout().revision()).isEqualTo(3L);
    assertThat(events(ns))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("RolledBack");
              assertThat(e.getMessage()).contains("from revision 2", "to revision 1");
            });
  }

  @Test
  void kubectlSfDrivesTheRealOperator(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    var plugin =
        dev.serverfleet.operator.testing.KubectlPlugin.install(PluginTestBed.kubectlBinary(), dir);
    Map<String, String> env = Map.of("KUBECONFIG", kubectl.kubeconfig().toString());
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "cli", 2, network)), 2);
    setAmi(ns, "cli", AMI_V2);
    var status = plugin.run(env, "sf", "rollout", "status", "cli", "-n", ns, "--timeout=180s");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.stdout()).contains("serverfleet \"cli\" successfully rolled out");

    var undo = plugin.run(env, "sf", "rollout", "undo", "cli", "-n", ns);
    assertThat(undo.exitCode()).as(undo.output()).isZero();
    assertThat(undo.stdout()).contains("serverfleet.serverfleet.dev/cli rolled back");
    assertThat(get(ns, "cli").getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    var back = plugin.run(env, "sf", "rollout", "status", "cli", "-n", ns, "--timeout=180s");
    assertThat(back.exitCode()).as(back.output()).isZero();
    awaitAmi(fleet, 2, AMI);

    var history = plugin.run(env, "sf", "rollout", "history", "cli", "-n", ns);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.stdout()).contains("3 (current)").contains(AMI_V2);
    var instances = plugin.run(env, "sf", "instances", "cli", "-n", ns);
    assertThat(instances.stdout().lines().filter(l -> l.startsWith("i-"))).hasSize(2);
  }

  @Test
  void anUntimedCheckpointPausesTheFleetUntilResumed() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "canary", 4, network);
    spec.getSpec().setStrategy(rolling(List.of(25), null, false));
    ServerFleet fleet = awaitReady(create(spec), 4);

    setAmi(ns, "canary", AMI_V2);
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ServerFleet f = get(ns, "canary");
              return Boolean.TRUE.equals(f.getSpec().getPaused())
                  && f.getStatus().getRollout() != null
                  && f.getStatus().getRollout().checkpoint() != null
                  && liveInstances(fleet).size() == 4;
            });
    ServerFleet held = get(ns, "canary");
    assertThat(held.getStatus().getRollout().checkpoint().percentage()).isEqualTo(25);
    assertThat(liveInstances(fleet)).filteredOn(i -> AMI_V2.equals(i.imageId())).hasSize(1);
    assertThat(progressing(held)).startsWith("Unknown/Checkpoint");
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(
            () ->
                liveInstances(fleet).stream().filter(i -> AMI_V2.equals(i.imageId())).count() == 1);

    patch(ns, "canary", "{\"spec\":{\"paused\":false}}");
    awaitAmi(fleet, 4, AMI_V2);
    assertThat(events(ns))
        .extracting(Event::getReason)
        .contains("CheckpointReached", "CheckpointPassed");
  }

  @Test
  void aNewRevisionWhoseInstancesStopIsRolledBackOnItsOwn() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "auto", 3, network);
    spec.getSpec().setStrategy(rolling(List.of(34), 600, true));
    ServerFleet fleet = awaitReady(create(spec), 3);
    String good = fleet.getStatus().getCurrentRevision();

    setAmi(ns, "auto", AMI_V2);
    Instance canary =
        await()
            .atMost(60, TimeUnit.SECONDS)
            .pollInterval(Duration.ofMillis(250))
            .until(
                () ->
                    liveInstances(fleet).stream()
                        .filter(i -> AMI_V2.equals(i.imageId()))
                        .filter(i -> i.state() == InstanceState.RUNNING)
                        .findFirst()
                        .orElse(null),
                i -> i != null);
    // a broken image: the instance stops on its own
    moto.ec2Client().stopInstances(r -> r.instanceIds(canary.id()));

    awaitAmi(fleet, 3, AMI);
    ServerFleet back = awaitReady(fleet, 3);
    assertThat(back.getSpec().getTemplate().getAmiId()).isEqualTo(AMI);
    assertThat(back.getStatus().getCurrentRevision()).isEqualTo(good);
    assertThat(degraded(back)).startsWith("True/AutoRolledBack").contains("failed health");
    assertThat(events(ns)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("AutoRolledBack"));
    assertThat(revisions(ns, fleet))
        .filteredOn(r -> !r.getMetadata().getLabels().get(FleetRevisions.REVISION).equals(good))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getMetadata().getAnnotations())
                    .containsKey(FleetRevisions.ROLLED_BACK));
  }

  @Test
  void noRollbackIntoARevisionWhoseAmiIsGone() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    String image = imageFromAnInstance(network);
    ServerFleet spec = fleet(ns, "stuck", 1, network);
    spec.getSpec().getTemplate().setAmiId(image);
    spec.getSpec().setStrategy(rolling(List.of(), null, true));
    spec.getSpec().setProgressDeadlineSeconds(5);
    ServerFleet fleet = awaitReady(create(spec), 1);

    moto.ec2Client().deregisterImage(r -> r.imageId(image));
    setAmi(ns, "stuck", UNKNOWN_AMI);
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degraded(get(ns, "stuck")).startsWith("True/RollbackImpossible"));
    assertThat(get(ns, "stuck").getSpec().getTemplate().getAmiId()).isEqualTo(UNKNOWN_AMI);
    assertThat(liveInstances(fleet))
        .singleElement()
        .satisfies(i -> assertThat(i.imageId()).isEqualTo(image));
  }

  @Test
  void historyGoesWithTheFleetAndALeftoverOfAnEarlierFleetIsReplaced() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet first = awaitReady(create(fleet(ns, "again", 1, network)), 1);
    String hash = first.getStatus().getCurrentRevision();
    ControllerRevision kept = revisions(ns, first).get(0);
    client.resource(first).delete();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> get(ns, "again") == null && revisions(ns, first).isEmpty());

    // what a cluster without garbage collection (or before it comes round) would still hold
    ControllerRevision leftover = new ControllerRevision();
    leftover.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("again-" + hash)
            .withNamespace(ns)
            .withLabels(
                Map.of(FleetRevisions.FLEET_UID, "0000-earlier", FleetRevisions.REVISION, hash))
            .build());
    leftover.setRevision(7L);
    leftover.setData(kept.getData());
    client.resource(leftover).create();

    ServerFleet second = awaitReady(create(fleet(ns, "again", 1, network)), 1);
    assertThat(second.getStatus().getCurrentRevision()).isEqualTo(hash);
    assertThat(revisions(ns, second))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMetadata().getName()).isEqualTo("again-" + hash);
              assertThat(r.getRevision()).isEqualTo(1L);
            });
  }

  /**
   * An AMI of our own (CreateImage from a running instance), so deregistering it harms no other
   * test.
   */
  private static String imageFromAnInstance(MotoServer.Network network) {
    var client = moto.ec2Client();
    String id =
        client
            .runInstances(
                r ->
                    r.imageId(AMI)
                        .instanceType("t3.micro")
                        .minCount(1)
                        .maxCount(1)
                        .subnetId(network.subnetIds().get(0)))
            .instances()
            .get(0)
            .instanceId();
    String image = client.createImage(r -> r.instanceId(id).name("sf-it-" + id)).imageId();
    client.terminateInstances(r -> r.instanceIds(id));
    return image;
  }

  private static Strategy rolling(
      List<Integer> checkpoints, Integer pauseSeconds, boolean autoRollback) {
    RollingUpdate bounds = new RollingUpdate();
    bounds.setMaxSurge(new IntOrString(1));
    bounds.setMaxUnavailable(new IntOrString(0));
    if (!checkpoints.isEmpty()) {
      Checkpoints c = new Checkpoints();
      c.setPercentages(checkpoints);
      c.setPauseSeconds(pauseSeconds);
      bounds.setCheckpoints(c);
    }
    Strategy strategy = new Strategy();
    strategy.setRollingUpdate(bounds);
    strategy.setAutoRollback(autoRollback ? Boolean.TRUE : null);
    return strategy;
  }

  private static List<ControllerRevision> revisions(String ns, ServerFleet fleet) {
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(ns)
        .withLabel(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid())
        .list()
        .getItems()
        .stream()
        .sorted(Comparator.comparingLong(ControllerRevision::getRevision))
        .toList();
  }

  private static List<Event> events(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  private static void setAmi(String ns, String name, String ami) {
    patch(ns, name, "{\"spec\":{\"template\":{\"amiId\":\"" + ami + "\"}}}");
  }

  private static void patch(String ns, String name, String mergePatch) {
    var patched = kubectl.run("patch", "sf/" + name, "-n", ns, "--type=merge", "-p", mergePatch);
    assertThat(patched.exitCode()).as(patched.output()).isZero();
  }

  private static void awaitAmi(ServerFleet fleet, int n, String ami) {
    await()
        .atMost(180, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              List<Instance> live = liveInstances(fleet);
              return live.size() == n && live.stream().allMatch(i -> ami.equals(i.imageId()));
            });
  }

  private static String progressing(ServerFleet fleet) {
    return condition(fleet, "Progressing");
  }

  private static String degraded(ServerFleet fleet) {
    return condition(fleet, "Degraded");
  }

  private static String condition(ServerFleet fleet, String type) {
    if (fleet == null || fleet.getStatus() == null) {
      return "";
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse("");
  }
}
