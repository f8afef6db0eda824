package dev.serverfleet.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Kubectl;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorProcess;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator as users install it: the plain manifests from deploy/ (rendered from the Helm chart)
 * applied to a real API server, the jar run as a process with a kubeconfig that holds only the
 * chart's ServiceAccount token. It must reconcile a fleet end to end with exactly that privilege,
 * serve its probes and metrics, and be refused anything more.
 */
class PackagedOperatorE2E extends ControlPlaneTestBed {
  private static final Path MANIFESTS = Path.of("deploy", "serverfleet-operator.yaml");
  private static final Path DASHBOARD = Path.of("deploy", "grafana", "serverfleet-operator.json");
  private static final String SYSTEM_NS = "serverfleet-system";

  /** Meters registered on their first event: a capacity fallback, a drain, a queue message. */
  private static final Set<String> EVENT_METRICS =
      Set.of(
          "serverfleet_launch_fallbacks_total",
          "serverfleet_drain_seconds_count",
          "serverfleet_drain_seconds_sum",
          "serverfleet_drain_seconds_max",
          "serverfleet_interruption_messages_total");

  private static final String SERVICE_ACCOUNT = "serverfleet-operator";

  @Test
  void leastPrivilegeIsEnoughForTheWholeLifecycleAndNothingMore() throws Exception {
    var applied =
        kubectl.runWithInput(Files.readString(MANIFESTS), "apply", "--server-side", "-f", "-");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    Kubectl operatorIdentity = tokenKubectl();

    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    try (OperatorProcess operator =
        OperatorProcess.start(
            "least-privilege",
            Map.of(
                "KUBECONFIG",
                operatorIdentity.kubeconfig().toString(),
                "SF_CLUSTER_NAME",
                cluster,
                "SF_EC2_ENDPOINT",
                moto.endpoint().toString(),
                "SF_POLL_INTERVAL",
                "1s",
                "SF_LEADER_ELECTION",
                "true",
                "SF_LEADER_ELECTION_NAMESPACE",
                SYSTEM_NS,
                "SF_LOG_FORMAT",
                "json"))) {
      await()
          .atMost(90, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> operator.status("/readyz") == 200);
      assertThat(operator.status("/healthz")).isEqualTo(200);

      ServerFleet fleet = awaitReady(create(fleet(ns, "rbac", 2, network)), 2);
      var events = client.v1().events().inNamespace(ns).list().getItems();
      assertThat(events).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Launched"));
      assertThat(
              client
                  .leases()
                  .inNamespace(SYSTEM_NS)
                  .withName("serverfleet-operator")
                  .get()
                  .getSpec()
                  .getHolderIdentity())
          .isNotBlank();

      kubectl.run("scale", "sf/rbac", "-n", ns, "--replicas=1");
      awaitReady(fleet, 1);
      String metrics = operator.get("/metrics").body();
      assertThat(metrics)
          .contains(
              "serverfleet_instances_terminated_total{name=\"rbac\",namespace=\""
                  + ns
                  + "\",reason=\"scale_in\"} 1.0")
          .contains(
              "serverfleet_ec2_calls_seconds_count{operation=\"DescribeInstances\",outcome=\"success\"}")
          .contains(
              "serverfleet_ec2_calls_seconds_count{operation=\"RunInstances\",outcome=\"success\"}")
          .contains(
              "serverfleet_fleet_replicas{kind=\"ready\",name=\"rbac\",namespace=\""
                  + ns
                  + "\"} 1.0")
          .contains(
              "serverfleet_instances_launched_total{name=\"rbac\",namespace=\"" + ns + "\"} 2.0");

      client.resource(fleet).delete();
      await()
          .atMost(60, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> get(ns, "rbac") == null);
      assertThat(liveInstances(fleet.getMetadata().getUid())).isEmpty();
      assertThat(operator.get("/metrics").body())
          .as("a deleted fleet's series go with it")
          .doesNotContain("name=\"rbac\",namespace=\"" + ns + "\"");

      // Over a whole lifecycle every series the dashboard queries exists (per-fleet gauges while
      // the fleet does), except a reconcile failure counter, which appears on the first failure,
      // and the meters of events this lifecycle has none of (EventMetricsExportTest checks their
      // names against the same Prometheus registry type).
      String after = metrics + operator.get("/metrics").body();
      assertThat(dashboardMetrics())
          .as("every metric the Grafana dashboard queries is exposed")
          .filteredOn(name -> !name.endsWith("_failure_total"))
          .filteredOn(name -> !EVENT_METRICS.contains(name))
          .allSatisfy(
              name -> assertThat(after).contains(name + (name.endsWith("_total") ? "{" : "")));
      assertThat(after).contains("operator_sdk_controllers_execution_reconcile_success_total");

      assertThat(operator.log())
          .doesNotContain("Forbidden")
          .doesNotContain("\"level\":\"ERROR\"")
          .contains("\"level\":\"INFO\"")
          .contains("\"formattedMessage\":\"starting: cluster=" + cluster);
    }

    var canISecrets = operatorIdentity.run("auth", "can-i", "get", "secrets", "-A");
    assertThat(canISecrets.stdout().trim()).isEqualTo("no");
    var secrets = operatorIdentity.run("get", "secrets", "-n", SYSTEM_NS);
    assertThat(secrets.exitCode()).isNotZero();
    assertThat(secrets.stderr()).contains("Forbidden");
    var pods = operatorIdentity.run("auth", "can-i", "create", "pods", "-n", SYSTEM_NS);
    assertThat(pods.stdout().trim()).isEqualTo("no");
    var fleets =
        operatorIdentity.run("auth", "can-i", "patch", "serverfleets.serverfleet.dev/status", "-A");
    assertThat(fleets.stdout().trim()).isEqualTo("yes");
  }

  /** kubectl holding only a token minted for the chart's ServiceAccount (no client certificate). */
  private static Kubectl tokenKubectl() throws Exception {
    var minted = kubectl.run("create", "token", SERVICE_ACCOUNT, "-n", SYSTEM_NS, "--duration=1h");
    assertThat(minted.exitCode()).as(minted.output()).isZero();
    Config admin = Config.fromKubeconfig(kubeconfigYaml);
    String ca =
        admin.getCaCertData() != null
            ? admin.getCaCertData()
            : Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: operator
          user:
            token: %s
        contexts:
        - name: operator
          context: {cluster: test, user: operator, namespace: %s}
        current-context: operator
        """
            .formatted(admin.getMasterUrl(), ca, minted.stdout().trim(), SYSTEM_NS);
    return Kubectl.forKubeconfig(yaml, K8S_VERSION);
  }

  /** Metric names in the dashboard's queries (Prometheus identifiers of ours and JOSDK's). */
  private static Set<String> dashboardMetrics() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> expressions = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
    assertThat(expressions).isNotEmpty();
    Set<String> names = new TreeSet<>();
    Matcher m =
        Pattern.compile("\\b(serverfleet_[a-z0-9_]+|operator_sdk_[a-z0-9_]+)")
            .matcher(String.join("\n", expressions));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
