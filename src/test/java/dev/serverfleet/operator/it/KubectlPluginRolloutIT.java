package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.RolloutStatus;
import dev.serverfleet.operator.api.v1alpha1.RolloutStatus.CheckpointStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Kubectl;
import dev.serverfleet.operator.testing.KubectlPlugin;
import dev.serverfleet.operator.testing.OperatorStandIn;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl sf rollout status} and {@code rollout undo} through the real kubectl on a real API
 * server, with {@link OperatorStandIn} writing status as the operator would (also while the command
 * watches) and answering undo's annotation as the operator would.
 */
@EnableKubeAPIServer(kubeAPIVersion = ControlPlaneTestBed.K8S_VERSION)
class KubectlPluginRolloutIT {
  static final String OLD_AMI = "ami-0abcdef1234567890";
  static final String NEW_AMI = "ami-0fedcba9876543210";
  static final String WAIT = "Waiting for serverfleet \"%s\" rollout to finish: ";

  static KubernetesClient client;
  @KubeConfig static String kubeconfigYaml;
  @TempDir static Path pluginDir;
  static KubectlPlugin plugin;
  static OperatorStandIn operator;
  static Map<String, String> env;
  static final String NS = "rollouts";

  @BeforeAll
  static void apiServer() throws Exception {
    Kubectl kubectl = Kubectl.forKubeconfig(kubeconfigYaml, ControlPlaneTestBed.K8S_VERSION);
    PluginTestBed.installCrd(kubectl);
    plugin = KubectlPlugin.install(PluginTestBed.kubectlBinary(), pluginDir);
    env = Map.of("KUBECONFIG", kubectl.kubeconfig().toString());
    operator = new OperatorStandIn(client);
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @Test
  void statusOfACompleteRolloutIsExitZero() throws Exception {
    fleet("done", s -> counts(s, 3, 3, 3));
    var status = sf("rollout", "status", "done");
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.stdout()).isEqualTo("serverfleet \"done\" successfully rolled out\n");
  }

  @Test
  void statusPastTheProgressDeadlineIsExitOne() throws Exception {
    fleet(
        "late",
        s -> {
          counts(s, 4, 1, 3);
          s.setConditions(
              List.of(
                  condition(
                      "Progressing", "False", "ProgressDeadlineExceeded", "no progress for 600s")));
        });
    var status = sf("rollout", "status", "late");
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.stderr())
        .isEqualTo("error: serverfleet \"late\" exceeded its progress deadline\n");
  }

  @Test
  void statusGivesUpAfterTheTimeoutWithExitOne() throws Exception {
    fleet("slow", s -> counts(s, 4, 1, 3));
    var status = sf("rollout", "status", "slow", "--timeout=2s");
    assertThat(status.exitCode()).isEqualTo(1);
    assertThat(status.stdout())
        .isEqualTo(WAIT.formatted("slow") + "1 out of 3 new replicas have been updated...\n");
    assertThat(status.stderr()).isEqualTo("error: timed out waiting for the condition\n");
    var once = sf("rollout", "status", "slow", "--watch=false");
    assertThat(once.exitCode()).isZero();
    assertThat(once.stdout())
        .isEqualTo(WAIT.formatted("slow") + "1 out of 3 new replicas have been updated...\n");
  }

  @Test
  void statusFollowsTheRolloutLineByLineUntilItCompletes() throws Exception {
    ServerFleet fleet = fleet("live", s -> counts(s, 3, 0, 3));
    // the spec changes: a new generation the operator has not seen yet
    fleet =
        operator
            .fleet(NS, "live")
            .edit(
                f -> {
                  f.getSpec().getTemplate().setAmiId(OLD_AMI);
                  return f;
                });
    long generation = fleet.getMetadata().getGeneration();
    var running = plugin.start(env, "sf", "rollout", "status", "live", "-n", NS);
    String wait = WAIT.formatted("live");
    assertThat(running.nextLine())
        .isEqualTo("Waiting for serverfleet spec update to be observed...");

    status(
        "live",
        s -> {
          s.setObservedGeneration(generation);
          counts(s, 4, 1, 3);
        });
    assertThat(running.nextLine()).isEqualTo(wait + "1 out of 3 new replicas have been updated...");
    status(
        "live",
        s ->
            s.setRollout(
                new RolloutStatus(
                    2L,
                    null,
                    null,
                    new CheckpointStatus(34, 1, "2025-12-01T10:00:00Z", null),
                    null)));
    assertThat(running.nextLine())
        .isEqualTo(
            wait
                + "holding at checkpoint 34% (1 of 3 instances on the new revision) until spec.paused is cleared (kubectl sf rollout resume live)...");
    status(
        "live",
        s -> {
          s.setRollout(new RolloutStatus(2L, null, 34, null, null));
          counts(s, 4, 3, 3);
        });
    assertThat(running.nextLine()).isEqualTo(wait + "1 old replicas are pending termination...");
    status("live", s -> counts(s, 3, 3, 2));
    assertThat(running.nextLine()).isEqualTo(wait + "2 of 3 updated replicas are available...");
    status("live", s -> counts(s, 3, 3, 3));
    assertThat(running.nextLine()).isEqualTo("serverfleet \"live\" successfully rolled out");

    var result = running.finish();
    System.out.print("$ kubectl sf rollout status live -n " + NS + "\n" + result.stdout());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.stdout().lines()).hasSize(6);
  }

  @Test
  void statusFailsWhenTheOperatorRollsBackDuringTheWatch() throws Exception {
    fleet("bad", s -> counts(s, 4, 1, 2));
    var running = plugin.start(env, "sf", "rollout", "status", "bad", "-n", NS);
    assertThat(running.nextLine())
        .isEqualTo(WAIT.formatted("bad") + "1 out of 3 new replicas have been updated...");
    status(
        "bad",
        s ->
            s.setConditions(
                List.of(
                    condition(
                        "Degraded",
                        "True",
                        "AutoRolledBack",
                        "rolled back to revision 1: 1 of 1 new instances unhealthy"))));
    var result = running.finish();
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .isEqualTo(
            "error: serverfleet \"bad\" was rolled back: rolled back to revision 1: 1 of 1 new instances unhealthy\n");
  }

  @Test
  void undoAsksTheOperatorAndReportsItsRollback() throws Exception {
    fleetWithTwoRevisions("undo-ok");
    var answer = operator.answerRollback(NS, "undo-ok", OLD_AMI, null);
    var undo = sf("rollout", "undo", "undo-ok");
    assertThat(undo.exitCode()).as(undo.output()).isZero();
    assertThat(undo.stdout()).isEqualTo("serverfleet.serverfleet.dev/undo-ok rolled back\n");
    assertThat(answer.get()).isEqualTo("1");
    assertThat(operator.fleet(NS, "undo-ok").get().getSpec().getTemplate().getAmiId())
        .isEqualTo(OLD_AMI);
  }

  @Test
  void undoReportsTheOperatorsRefusal() throws Exception {
    fleetWithTwoRevisions("undo-no");
    var answer =
        operator.answerRollback(
            NS, "undo-no", null, "AMI ami-0abcdef1234567890 of revision 1 no longer exists");
    var undo = sf("rollout", "undo", "undo-no", "--to-revision=1");
    assertThat(undo.exitCode()).isEqualTo(1);
    assertThat(undo.stderr())
        .isEqualTo("error: AMI ami-0abcdef1234567890 of revision 1 no longer exists\n");
    assertThat(answer.get()).isEqualTo("1");
    assertThat(operator.fleet(NS, "undo-no").get().getSpec().getTemplate().getAmiId())
        .isEqualTo(NEW_AMI);
  }

  @Test
  void undoToAnUnknownOrTheCurrentRevisionAsksNothing() throws Exception {
    fleetWithTwoRevisions("undo-ask");
    var unknown = sf("rollout", "undo", "undo-ask", "--to-revision=9");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.stderr())
        .isEqualTo("error: unable to find specified revision 9 in history\n");
    var current = sf("rollout", "undo", "undo-ask", "--to-revision=2");
    assertThat(current.exitCode()).as(current.output()).isZero();
    assertThat(current.stdout())
        .isEqualTo(
            "serverfleet.serverfleet.dev/undo-ask skipped rollback (current template already matches revision 2)\n");
    assertThat(operator.fleet(NS, "undo-ask").get().getMetadata().getAnnotations())
        .doesNotContainKey(ServerFleet.ROLLBACK_TO);
    var noHistory = operator.createFleet(NS, "undo-none", NEW_AMI, 1);
    var none = sf("rollout", "undo", noHistory.getMetadata().getName());
    assertThat(none.stderr()).isEqualTo("error: no rollout history found\n");
  }

  @Test
  void undoWithoutAnOperatorTimesOutAndSaysSo() throws Exception {
    fleetWithTwoRevisions("undo-alone");
    var undo = sf("rollout", "undo", "undo-alone", "--timeout=2s");
    assertThat(undo.exitCode()).isEqualTo(1);
    assertThat(undo.stderr())
        .startsWith(
            "error: timed out after 2s waiting for the operator to roll back serverfleet.serverfleet.dev/undo-alone (is serverfleet-operator running?)");
    assertThat(operator.fleet(NS, "undo-alone").get().getMetadata().getAnnotations())
        .containsEntry(ServerFleet.ROLLBACK_TO, "1");
  }

  private ServerFleet fleetWithTwoRevisions(String name) {
    ServerFleet fleet =
        fleet(
            name,
            s -> {
              counts(s, 1, 1, 1);
              s.setCurrentRevision("b2b2b2b2b2");
            });
    operator.revision(fleet, 1, "a1a1a1a1a1", OLD_AMI, Map.of());
    operator.revision(fleet, 2, "b2b2b2b2b2", NEW_AMI, Map.of());
    return fleet;
  }

  private static ServerFleet fleet(String name, Consumer<ServerFleetStatus> status) {
    ServerFleet fleet = operator.createFleet(NS, name, NEW_AMI, 3);
    status(
        name,
        s -> {
          s.setObservedGeneration(fleet.getMetadata().getGeneration());
          status.accept(s);
        });
    return operator.fleet(NS, name).get();
  }

  private static void status(String name, Consumer<ServerFleetStatus> change) {
    operator.status(NS, name, change);
  }

  private static void counts(ServerFleetStatus s, int replicas, int updated, int available) {
    s.setReplicas(replicas);
    s.setUpdatedReplicas(updated);
    s.setAvailableReplicas(available);
    s.setReadyReplicas(available);
  }

  private static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2025-12-01T10:00:00Z")
        .withObservedGeneration(1L)
        .build();
  }

  private static Kubectl.Result sf(String... args) throws Exception {
    List<String> full = new ArrayList<>(List.of("sf"));
    full.addAll(List.of(args));
    full.addAll(List.of("-n", NS));
    return plugin.run(env, full.toArray(String[]::new));
  }
}
