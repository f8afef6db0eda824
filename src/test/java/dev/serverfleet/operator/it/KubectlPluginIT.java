package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Kubectl;
import dev.serverfleet.operator.testing.KubectlPlugin;
import dev.serverfleet.operator.testing.OperatorStandIn;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl sf} through the real kubectl plugin mechanism on a real API server: the built
 * target/kubectl-sf on the PATH, run as {@code kubectl sf ...}. No operator runs: {@link
 * OperatorStandIn} writes the fleets, their ControllerRevisions, status and events as the operator
 * would, and plays its side of undo. Rollout status and undo are in {@link KubectlPluginRolloutIT}.
 */
@EnableKubeAPIServer(kubeAPIVersion = ControlPlaneTestBed.K8S_VERSION)
class KubectlPluginIT {
  static final String AMI_1 = "ami-0abcdef1234567890";
  static final String AMI_2 = "ami-0fedcba9876543210";
  static final String AMI_3 = "ami-0123456789abcdef0";

  static KubernetesClient client;
  @KubeConfig static String kubeconfigYaml;
  @TempDir static Path pluginDir;
  static KubectlPlugin plugin;
  static OperatorStandIn operator;
  static Map<String, String> env;
  static String ns;

  @BeforeAll
  static void fleetsWithHistory() throws Exception {
    Kubectl kubectl = Kubectl.forKubeconfig(kubeconfigYaml, ControlPlaneTestBed.K8S_VERSION);
    PluginTestBed.installCrd(kubectl);
    plugin = KubectlPlugin.install(PluginTestBed.kubectlBinary(), pluginDir);
    env = Map.of("KUBECONFIG", kubectl.kubeconfig().toString());
    operator = new OperatorStandIn(client);
    ns = "shop";
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    ServerFleet web = operator.createFleet(ns, "web", AMI_3, 2);
    operator.revision(
        web, 1, "a1a1a1a1a1", AMI_1, Map.of(FleetRevisions.COMPLETED_AT, "2025-12-01T10:00:00Z"));
    operator.revision(
        web,
        2,
        "b2b2b2b2b2",
        AMI_2,
        Map.of(
            FleetRevisions.ROLLED_BACK,
            "2 of 2 new instances failed",
            FleetRevisions.CHANGE_CAUSE,
            "kubectl apply web-v2.yaml"));
    operator.revision(
        web, 3, "c3c3c3c3c3", AMI_3, Map.of(FleetRevisions.COMPLETED_AT, "2025-12-01T11:00:00Z"));
    String launched =
        Instant.now().minus(3, ChronoUnit.DAYS).minus(10, ChronoUnit.MINUTES).toString();
    operator.status(
        ns,
        "web",
        s -> {
          s.setObservedGeneration(1L);
          s.setCurrentRevision("c3c3c3c3c3");
          s.setRollout(new RolloutStatus(3L, "c3c3c3c3c3", null, null, null));
          s.setInstances(
              List.of(
                  new InstanceStatus(
                      "i-0aaa",
                      "running",
                      "c3c3c3c3c3",
                      "subnet-0123456789abcdef0",
                      "eu-west-1a",
                      "10.0.0.5",
                      launched,
                      "OK",
                      launched,
                      null),
                  new InstanceStatus(
                      "i-0bbb",
                      "pending",
                      "9f9f9f9f9f",
                      "subnet-0123456789abcdef0",
                      "eu-west-1b",
                      null,
                      launched,
                      null,
                      null,
                      true)));
        });
  }

  @Test
  void kubectlFindsThePlugin() throws Exception {
    var list = plugin.run(env, "plugin", "list");
    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.stdout()).contains(plugin.bin().resolve("kubectl-sf").toString());
  }

  @Test
  void historyTableInNumberOrderWithTheCurrentMarked() throws Exception {
    var history = plugin.run(env, "sf", "rollout", "history", "web", "-n", ns);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.stdout().lines())
        .containsExactly(
            "serverfleet.serverfleet.dev/web",
            "REVISION      HASH         AMI                     INSTANCE-TYPE   COMPLETED              CHANGE-CAUSE",
            "1             a1a1a1a1a1   ami-0abcdef1234567890   t3.micro        2025-12-01T10:00:00Z   <none>",
            "2             b2b2b2b2b2   ami-0fedcba9876543210   t3.micro        <rolled back>          kubectl apply web-v2.yaml",
            "3 (current)   c3c3c3c3c3   ami-0123456789abcdef0   t3.micro        2025-12-01T11:00:00Z   <none>");
  }

  @Test
  void historyOfOneRevisionPrintsItsTemplate() throws Exception {
    var two = plugin.run(env, "sf", "-n", ns, "rollout", "history", "web", "--revision=2");
    assertThat(two.exitCode()).as(two.output()).isZero();
    assertThat(two.stdout().lines())
        .containsExactly(
            "serverfleet.serverfleet.dev/web with revision #2",
            "Hash:          b2b2b2b2b2",
            "Change-cause:  kubectl apply web-v2.yaml",
            "Completed:     <none>",
            "Rolled back:   2 of 2 new instances failed",
            "Template:",
            "  amiId: ami-0fedcba9876543210",
            "  instanceType: t3.micro");
    var nine = plugin.run(env, "sf", "-n", ns, "rollout", "history", "web", "--revision=9");
    assertThat(nine.exitCode()).isEqualTo(1);
    assertThat(nine.stderr()).isEqualTo("error: unable to find the specified revision\n");
  }

  @Test
  void instancesWithRevisionNumbersHealthAndAge() throws Exception {
    var instances = plugin.run(env, "sf", "instances", "web", "--namespace=" + ns);
    assertThat(instances.exitCode()).as(instances.output()).isZero();
    assertThat(instances.stdout().lines())
        .containsExactly(
            "ID        STATE     ZONE         REVISION     HEALTH    READY     PROTECTED   AGE",
            "i-0aaa    running   eu-west-1a   3            OK        true      false       3d",
            "i-0bbb    pending   eu-west-1b   9f9f9f9f9f   <none>    false     true        3d");
  }

  @Test
  void pauseResumeAndRestartChangeTheFleetWithKubectlsWords() throws Exception {
    operator.createFleet(ns, "batch", AMI_1, 1);
    assertThat(sf("rollout", "pause", "batch").stdout())
        .isEqualTo("serverfleet.serverfleet.dev/batch paused\n");
    assertThat(operator.fleet(ns, "batch").get().getSpec().getPaused()).isTrue();
    assertThat(sf("rollout", "pause", "batch"))
        .satisfies(
            r -> {
              assertThat(r.exitCode()).isEqualTo(1);
              assertThat(r.stderr())
                  .isEqualTo("error: serverfleets.serverfleet.dev \"batch\" is already paused\n");
            });
    assertThat(sf("rollout", "restart", "batch").stderr())
        .isEqualTo(
            "error: serverfleets.serverfleet.dev \"batch\" can't restart paused serverfleet (run rollout resume first)\n");
    assertThat(sf("rollout", "resume", "batch").stdout())
        .isEqualTo("serverfleet.serverfleet.dev/batch resumed\n");
    assertThat(operator.fleet(ns, "batch").get().getSpec().getPaused()).isFalse();
    assertThat(sf("rollout", "resume", "batch").stderr())
        .isEqualTo("error: serverfleets.serverfleet.dev \"batch\" is not paused\n");

    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    var restart = sf("rollout", "restart", "batch");
    assertThat(restart.stdout()).isEqualTo("serverfleet.serverfleet.dev/batch restarted\n");
    String restartedAt =
        operator
            .fleet(ns, "batch")
            .get()
            .getMetadata()
            .getAnnotations()
            .get(ServerFleet.RESTARTED_AT);
    assertThat(Instant.parse(restartedAt)).isBetween(before, Instant.now());
  }

  @Test
  void unknownFleetIsNotFoundAsKubectlSaysIt() throws Exception {
    var missing = sf("instances", "nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr())
        .isEqualTo(
            "Error from server (NotFound): serverfleets.serverfleet.dev \"nope\" not found\n");
  }

  @Test
  void namespaceFromFlagOrContextAndKubeconfigAndContextFlags() throws Exception {
    // the test's kubeconfig has no namespace in its context: "default", where web is not
    assertThat(plugin.run(env, "sf", "instances", "web").stderr()).contains("NotFound");
    var file = Files.createTempFile(pluginDir, "kubeconfig-", ".yaml");
    Files.writeString(
        file, PluginTestBed.withFleetsContext(client, kubeconfigYaml, "fleets", ns, false));
    var noEnv = Map.of("KUBECONFIG", "/nonexistent/kubeconfig");

    var viaContext =
        plugin.run(
            noEnv,
            "sf",
            "rollout",
            "history",
            "web",
            "--kubeconfig",
            file.toString(),
            "--context",
            "fleets");
    assertThat(viaContext.exitCode()).as(viaContext.output()).isZero();
    assertThat(viaContext.stdout()).contains("3 (current)   c3c3c3c3c3");
    var viaEnv =
        plugin.run(
            Map.of("KUBECONFIG", file.toString()), "sf", "--context=fleets", "instances", "web");
    assertThat(viaEnv.stdout()).contains("i-0aaa");
    var wrongContext =
        plugin.run(noEnv, "sf", "--kubeconfig=" + file, "--context=nope", "instances", "web");
    assertThat(wrongContext.exitCode()).isEqualTo(1);
    assertThat(wrongContext.stderr())
        .isEqualTo("Error in configuration: context was not found for specified context: nope\n");
    var flagBeatsContext =
        plugin.run(
            noEnv,
            "sf",
            "instances",
            "web",
            "--kubeconfig",
            file.toString(),
            "--context",
            "fleets",
            "-n",
            "default");
    assertThat(flagBeatsContext.stderr()).contains("NotFound");

    // no flag at all: the namespace of the current context
    var current = Files.createTempFile(pluginDir, "kubeconfig-", ".yaml");
    Files.writeString(
        current, PluginTestBed.withFleetsContext(client, kubeconfigYaml, "fleets", ns, true));
    var fromCurrent =
        plugin.run(Map.of("KUBECONFIG", current.toString()), "sf", "instances", "web");
    assertThat(fromCurrent.exitCode()).as(fromCurrent.output()).isZero();
    assertThat(fromCurrent.stdout()).contains("i-0aaa", "i-0bbb");
  }

  private static Kubectl.Result sf(String... args) throws Exception {
    List<String> full = new ArrayList<>(List.of("sf"));
    full.addAll(List.of(args));
    full.addAll(List.of("-n", ns));
    return plugin.run(env, full.toArray(String[]::new));
  }
}
