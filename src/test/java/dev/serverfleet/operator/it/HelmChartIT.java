package dev.serverfleet.operator.it;

import static dev.serverfleet.operator.it.Helm.documents;
import static dev.serverfleet.operator.it.Helm.env;
import static dev.serverfleet.operator.it.Helm.helm;
import static dev.serverfleet.operator.it.Helm.objects;
import static dev.serverfleet.operator.it.Helm.only;
import static dev.serverfleet.operator.it.Helm.template;
import static dev.serverfleet.operator.it.Helm.valuesFile;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.serverfleet.operator.testing.Kubectl;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart and the plain manifests rendered from it, against helm itself (lint, schema) and a
 * real kube-apiserver 1.34 (server-side dry run, a real apply of deploy/, RBAC as the operator's
 * ServiceAccount, Pod Security admission "restricted").
 */
@EnableKubeAPIServer(kubeAPIVersion = HelmChartIT.K8S_VERSION)
class HelmChartIT {
  static final String K8S_VERSION = "1.34.4";
  static final Path CRD = Path.of("crds", "serverfleets.serverfleet.dev-v1.yml");
  static final Path CLASS_CRD = Path.of("crds", "serverfleetclasses.serverfleet.dev-v1.yml");
  static final Path CHART_CRD =
      Helm.CHART.resolve("crds").resolve("serverfleets.serverfleet.dev-v1.yml");
  static final Path DEPLOY = Path.of("deploy", "serverfleet-operator.yaml");
  static final String SA = "system:serviceaccount:serverfleet-system:serverfleet-operator";

  /** Everything that differs from values.yaml: namespaced RBAC, one replica, no leader election. */
  static final String NON_DEFAULT_VALUES =
      """
      replicaCount: 1
      clusterName: prod-eu1
      region: eu-west-1
      ec2Endpoint: http://moto.moto.svc:5000
      pollInterval: 1m
      fastPollInterval: 0s
      interruptionQueue: https://sqs.eu-west-1.amazonaws.com/123456789012/serverfleet-interruptions
      jvm: {options: "-XX:+UseG1GC -XX:MaxRAMPercentage=70"}
      watchNamespaces: [team-a, team-b]
      labelSelector: serverfleet.dev/shard=a
      logFormat: plain
      leaderElection: {enabled: false}
      serviceAccount:
        annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/serverfleet-operator"}
      serviceMonitor: {enabled: true, interval: 15s, labels: {release: kube-prometheus-stack}}
      extraEnv: [{name: JAVA_TOOL_OPTIONS, value: "-Xlog:gc"}]
      admissionPolicy: {enabled: false}
      nodeSelector: {kubernetes.io/os: linux}
      tolerations: [{key: dedicated, operator: Equal, value: ops, effect: NoSchedule}]
      """;

  @KubeConfig static String kubeconfigYaml;
  static Kubectl kubectl;

  @BeforeAll
  static void apiServer() throws IOException {
    kubectl = Kubectl.forKubeconfig(kubeconfigYaml, K8S_VERSION);
    var crd = kubectl.runWithInput(Files.readString(CRD), "apply", "--server-side", "-f", "-");
    assertThat(crd.exitCode()).as(crd.output()).isZero();
    var established =
        kubectl.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev");
    assertThat(established.exitCode()).as(established.output()).isZero();
  }

  // --- helm lint and the values schema ---

  @Test
  void lintPassesWithDefaultValues() {
    var lint = helm("lint", "--strict", Helm.CHART.toString());
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.stdout())
        .contains("1 chart(s) linted, 0 chart(s) failed")
        .doesNotContain("[WARNING]");
  }

  @Test
  void lintPassesWithNonDefaultValues() {
    var lint =
        helm("lint", "--strict", Helm.CHART.toString(), "-f", valuesFile(NON_DEFAULT_VALUES));
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.stdout())
        .contains("1 chart(s) linted, 0 chart(s) failed")
        .doesNotContain("[WARNING]");
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of(
            "leaderElection.enabled=maybe",
            "at '/leaderElection/enabled': value must be one of 'auto', true, false"),
        Arguments.of("logFormat=xml", "at '/logFormat': value must be one of 'json', 'plain'"),
        Arguments.of("image.pullPolicy=Sometimes", "at '/image/pullPolicy': value must be one of"),
        Arguments.of("replicaCount=-1", "at '/replicaCount': minimum: got -1, want 0"),
        Arguments.of(
            "watchNamespaces[0]=Team_A",
            "at '/watchNamespaces/0': 'Team_A' does not match pattern"),
        Arguments.of("region=", "at '/region': '' does not match pattern"),
        Arguments.of("pollInterval=soon", "at '/pollInterval': 'soon' does not match pattern"),
        Arguments.of(
            "fastPollInterval=100ms", "at '/fastPollInterval': '100ms' does not match pattern"),
        Arguments.of(
            "interruptionQueue=serverfleet-interruptions",
            "at '/interruptionQueue': 'serverfleet-interruptions' does not match pattern"),
        Arguments.of(
            "serviceMonitor.enabled=yes-please",
            "at '/serviceMonitor/enabled': got string, want boolean"),
        Arguments.of(
            "admissionPolicy.enabled=maybe",
            "at '/admissionPolicy/enabled': got string, want boolean"),
        Arguments.of("jvm.options=Xmx1g", "at '/jvm/options': 'Xmx1g' does not match pattern"),
        Arguments.of("replicas=3", "additional properties 'replicas' not allowed"));
  }

  @ParameterizedTest(name = "--set {0}")
  @MethodSource("invalidValues")
  void theSchemaRefusesWrongValues(String set, String expected) {
    var lint = helm("lint", Helm.CHART.toString(), "--set", set);
    assertThat(lint.exitCode()).as(lint.output()).isNotZero();
    assertThat(lint.output()).contains(expected);
    var rendered = helm("template", "x", Helm.CHART.toString(), "--set", set);
    assertThat(rendered.exitCode()).isNotZero();
  }

  // --- helm template, accepted by the real API server ---

  @Test
  void defaultRenderIsAcceptedByTheApiServer() throws IOException {
    createNamespace("sf-default", Map.of());
    var docs = documents(template("serverfleet-operator", "sf-default"));

    assertThat(objects(docs))
        .containsExactly(
            "PodDisruptionBudget sf-default/serverfleet-operator",
            "ServiceAccount sf-default/serverfleet-operator",
            "ClusterRole serverfleet-operator",
            "ClusterRoleBinding serverfleet-operator",
            "Role sf-default/serverfleet-operator-leader-election",
            "RoleBinding sf-default/serverfleet-operator-leader-election",
            "Service sf-default/serverfleet-operator",
            "Deployment sf-default/serverfleet-operator",
            "ValidatingAdmissionPolicy serverfleet-operator-classes",
            "ValidatingAdmissionPolicyBinding serverfleet-operator-classes");
    ObjectNode deployment = only(docs, "Deployment");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(env(deployment))
        .containsEntry("SF_LEADER_ELECTION", "true")
        .containsEntry("SF_LEADER_ELECTION_NAMESPACE", "sf-default")
        .containsEntry("SF_LEADER_ELECTION_NAME", "serverfleet-operator")
        .containsEntry("SF_WATCH_NAMESPACES", "")
        .containsEntry("SF_MANAGEMENT_PORT", "8080")
        .containsEntry("SF_LOG_FORMAT", "json")
        .containsEntry("SF_FAST_POLL_INTERVAL", "2s")
        .containsEntry("JDK_JAVA_OPTIONS", imageJvmOptions())
        .containsEntry("AWS_REGION", "us-east-1")
        .doesNotContainKey("SF_EC2_ENDPOINT")
        .doesNotContainKey("SF_INTERRUPTION_QUEUE");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    assertThat(container.at("/ports/0/name").asText()).isEqualTo("metrics");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");

    serverDryRun(docs);
  }

  @Test
  void nonDefaultRenderIsAcceptedByTheApiServer() {
    createNamespace("ops", Map.of());
    createNamespace("team-a", Map.of());
    createNamespace("team-b", Map.of());
    var docs = documents(template("fleet", "ops", "-f", valuesFile(NON_DEFAULT_VALUES)));

    // Namespaced RBAC (but reading the cluster-scoped ServerFleetClasses), no Lease access, no
    // PodDisruptionBudget for a single replica.
    assertThat(objects(docs))
        .containsExactly(
            "ServiceAccount ops/fleet-serverfleet-operator",
            "ClusterRole fleet-serverfleet-operator-classes",
            "ClusterRoleBinding fleet-serverfleet-operator-classes",
            "Role team-a/fleet-serverfleet-operator",
            "Role team-b/fleet-serverfleet-operator",
            "RoleBinding team-a/fleet-serverfleet-operator",
            "RoleBinding team-b/fleet-serverfleet-operator",
            "Service ops/fleet-serverfleet-operator",
            "Deployment ops/fleet-serverfleet-operator",
            "ServiceMonitor ops/fleet-serverfleet-operator");
    ObjectNode deployment = only(docs, "Deployment");
    assertThat(deployment.at("/spec/strategy/type").asText())
        .as("one operator at a time without a Lease")
        .isEqualTo("Recreate");
    assertThat(env(deployment))
        .containsEntry("SF_LEADER_ELECTION", "false")
        .containsEntry("SF_WATCH_NAMESPACES", "team-a,team-b")
        .containsEntry("SF_LABEL_SELECTOR", "serverfleet.dev/shard=a")
        .containsEntry("SF_EC2_ENDPOINT", "http://moto.moto.svc:5000")
        .containsEntry("SF_CLUSTER_NAME", "prod-eu1")
        .containsEntry("SF_POLL_INTERVAL", "1m")
        .containsEntry("SF_FAST_POLL_INTERVAL", "0s")
        .containsEntry(
            "SF_INTERRUPTION_QUEUE",
            "https://sqs.eu-west-1.amazonaws.com/123456789012/serverfleet-interruptions")
        .containsEntry("JDK_JAVA_OPTIONS", "-XX:+UseG1GC -XX:MaxRAMPercentage=70")
        .containsEntry("SF_LOG_FORMAT", "plain")
        .containsEntry("JAVA_TOOL_OPTIONS", "-Xlog:gc")
        .doesNotContainKey("SF_LEADER_ELECTION_NAMESPACE");
    assertThat(
            only(docs, "ServiceAccount")
                .at("/metadata/annotations/eks.amazonaws.com~1role-arn")
                .asText())
        .isEqualTo("arn:aws:iam::123456789012:role/serverfleet-operator");

    // The ServiceMonitor needs the Prometheus Operator's CRD, which this API server lacks: check
    // what it says and dry-run everything else.
    ObjectNode monitor = only(docs, "ServiceMonitor");
    assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(monitor.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
    assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("ops");
    JsonNode endpoint = monitor.at("/spec/endpoints/0");
    assertThat(endpoint.path("port").asText()).isEqualTo("metrics");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    assertThat(endpoint.path("interval").asText()).isEqualTo("15s");
    assertThat(endpoint.path("honorLabels").asBoolean())
        .as("keep the fleets' namespace label")
        .isTrue();

    serverDryRun(
        docs.stream().filter(d -> !"ServiceMonitor".equals(d.path("kind").asText())).toList());
  }

  /**
   * admissionPolicy.enabled: on by default with the policy as the threat model needs it (errors
   * refuse, no class at all admits, refusals deny); off leaves out the policy and its binding and
   * nothing else.
   */
  @Test
  void theAdmissionPolicyIsASwitch() {
    var on = documents(template("r", "sf-vap"));
    ObjectNode policy = only(on, "ValidatingAdmissionPolicy");
    assertThat(policy.at("/spec/failurePolicy").asText()).isEqualTo("Fail");
    assertThat(policy.at("/spec/paramKind/kind").asText()).isEqualTo("ServerFleetClass");
    ObjectNode binding = only(on, "ValidatingAdmissionPolicyBinding");
    assertThat(binding.at("/spec/policyName").asText()).isEqualTo("r-serverfleet-operator-classes");
    assertThat(binding.at("/spec/validationActions/0").asText()).isEqualTo("Deny");
    assertThat(binding.at("/spec/paramRef/parameterNotFoundAction").asText()).isEqualTo("Allow");

    var off = documents(template("r", "sf-vap", "--set", "admissionPolicy.enabled=false"));
    assertThat(objects(off))
        .noneMatch(o -> o.startsWith("ValidatingAdmissionPolicy"))
        .containsExactlyElementsOf(
            objects(on).stream().filter(o -> !o.startsWith("ValidatingAdmissionPolicy")).toList());
  }

  @Test
  void leaderElectionAutoFollowsTheReplicaCount() {
    var single = documents(template("r", "sf-le", "--set", "replicaCount=1"));
    assertThat(env(only(single, "Deployment"))).containsEntry("SF_LEADER_ELECTION", "false");
    assertThat(objects(single))
        .noneMatch(o -> o.startsWith("Role ") || o.startsWith("PodDisruptionBudget"));

    var three = documents(template("r", "sf-le", "--set", "replicaCount=3"));
    assertThat(env(only(three, "Deployment"))).containsEntry("SF_LEADER_ELECTION", "true");
    assertThat(objects(three))
        .contains(
            "Role sf-le/r-serverfleet-operator-leader-election",
            "PodDisruptionBudget sf-le/r-serverfleet-operator");

    var forced =
        documents(
            template(
                "r",
                "sf-le",
                "--set",
                "replicaCount=1",
                "--set",
                "leaderElection.enabled=true",
                "--set",
                "leaderElection.leaseNamespace=coordination",
                "--set",
                "leaderElection.leaseName=fleet-lock"));
    assertThat(env(only(forced, "Deployment")))
        .containsEntry("SF_LEADER_ELECTION", "true")
        .containsEntry("SF_LEADER_ELECTION_NAMESPACE", "coordination")
        .containsEntry("SF_LEADER_ELECTION_NAME", "fleet-lock");
    ObjectNode role = only(forced, "Role");
    assertThat(Helm.describe(role))
        .isEqualTo("Role coordination/r-serverfleet-operator-leader-election");
    assertThat(role.at("/rules/1/resourceNames/0").asText()).isEqualTo("fleet-lock");

    var off = documents(template("r", "sf-le", "--set", "leaderElection.enabled=false"));
    assertThat(env(only(off, "Deployment"))).containsEntry("SF_LEADER_ELECTION", "false");
    assertThat(only(off, "Deployment").at("/spec/strategy/type").asText()).isEqualTo("Recreate");
  }

  // --- deploy/: applied for real, RBAC checked as the operator's ServiceAccount ---

  @Test
  void deployManifestAppliesAndGrantsExactlyWhatTheOperatorNeeds() throws IOException {
    var applied =
        kubectl.runWithInput(Files.readString(DEPLOY), "apply", "--server-side", "-f", "-");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    assertThat(applied.stdout())
        .contains(
            "namespace/serverfleet-system serverside-applied",
            "deployment.apps/serverfleet-operator serverside-applied");
    var labels =
        kubectl.run(
            "get",
            "namespace",
            "serverfleet-system",
            "-o",
            "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}");
    assertThat(labels.stdout()).isEqualTo("restricted");

    // What the operator does (JOSDK informers, SSA status patches, the finalizer, events, the
    // Lease).
    List<String> allowed =
        List.of(
            "list serverfleets.serverfleet.dev -A",
            "get serverfleetclasses.serverfleet.dev",
            "list serverfleetclasses.serverfleet.dev",
            "watch serverfleetclasses.serverfleet.dev",
            "watch serverfleets.serverfleet.dev -A",
            "get serverfleets.serverfleet.dev -n shop",
            "patch serverfleets.serverfleet.dev -n shop",
            "update serverfleets.serverfleet.dev -n shop",
            "patch serverfleets.serverfleet.dev/status -n shop",
            "update serverfleets.serverfleet.dev/status -n shop",
            "update serverfleets.serverfleet.dev/finalizers -n shop",
            "create events -n shop",
            "patch events -n shop",
            "list controllerrevisions.apps -n shop",
            "create controllerrevisions.apps -n shop",
            "update controllerrevisions.apps -n shop",
            "delete controllerrevisions.apps -n shop",
            "create leases.coordination.k8s.io -n serverfleet-system",
            "get leases.coordination.k8s.io/serverfleet-operator -n serverfleet-system",
            "update leases.coordination.k8s.io/serverfleet-operator -n serverfleet-system",
            "patch leases.coordination.k8s.io/serverfleet-operator -n serverfleet-system");
    // And nothing else.
    List<String> denied =
        List.of(
            "get secrets -n serverfleet-system",
            "list secrets -A",
            "list pods -A",
            "get configmaps -n shop",
            "create serverfleets.serverfleet.dev -n shop",
            "delete serverfleets.serverfleet.dev -n shop",
            "create serverfleetclasses.serverfleet.dev",
            "update serverfleetclasses.serverfleet.dev",
            "delete serverfleetclasses.serverfleet.dev",
            "delete events -n shop",
            "list events -A",
            "patch controllerrevisions.apps -n shop",
            "deletecollection controllerrevisions.apps -n shop",
            "delete statefulsets.apps -n shop",
            "update leases.coordination.k8s.io/someone-else -n serverfleet-system",
            "delete leases.coordination.k8s.io/serverfleet-operator -n serverfleet-system",
            "create leases.coordination.k8s.io -n kube-system",
            "update leases.coordination.k8s.io/serverfleet-operator -n shop",
            "update customresourcedefinitions.apiextensions.k8s.io",
            "create clusterrolebindings.rbac.authorization.k8s.io");
    for (String check : allowed) {
      assertThat(canI(check)).as("%s may %s", SA, check).isTrue();
    }
    for (String check : denied) {
      assertThat(canI(check)).as("%s must not %s", SA, check).isFalse();
    }
  }

  // --- Pod Security Admission "restricted" ---

  @Test
  void theChartsPodIsAdmittedUnderPodSecurityRestricted() {
    createNamespace("psa-restricted", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    var dryRun =
        kubectl.runWithInput(
            Helm.toYaml(List.of(podFromChart("psa-restricted", p -> {}))),
            "apply",
            "--dry-run=server",
            "-f",
            "-");
    assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
    assertThat(dryRun.stdout()).contains("pod/operator-pod created (server dry run)");
    assertThat(dryRun.stderr()).doesNotContain("Warning");
  }

  static Stream<Arguments> weakenedPods() {
    return Stream.of(
        // (privileged with allowPrivilegeEscalation=false is refused by validation before
        // admission)
        Arguments.of(
            "privileged",
            (Consumer<ObjectNode>)
                c -> securityContext(c).put("privileged", true).remove("allowPrivilegeEscalation"),
            "privileged (container \"operator\" must not set securityContext.privileged=true)"),
        Arguments.of(
            "runAsNonRoot false",
            (Consumer<ObjectNode>)
                c -> securityContext(c).put("runAsNonRoot", false).put("runAsUser", 0),
            "runAsNonRoot != true (container \"operator\" must not set securityContext.runAsNonRoot=false)"),
        Arguments.of(
            "privilege escalation",
            (Consumer<ObjectNode>) c -> securityContext(c).put("allowPrivilegeEscalation", true),
            "allowPrivilegeEscalation != false (container \"operator\" must set securityContext.allowPrivilegeEscalation=false)"),
        Arguments.of(
            "added capability",
            (Consumer<ObjectNode>)
                c ->
                    ((ObjectNode) securityContext(c).get("capabilities"))
                        .putArray("add")
                        .add("NET_ADMIN"),
            "(container \"operator\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)"));
  }

  private static ObjectNode securityContext(ObjectNode container) {
    return (ObjectNode) container.get("securityContext");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weakenedPods")
  void aWeakenedCopyIsRefusedByPodSecurity(
      String name, Consumer<ObjectNode> weaken, String expected) {
    createNamespace("psa-refuses", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    var dryRun =
        kubectl.runWithInput(
            Helm.toYaml(List.of(podFromChart("psa-refuses", weaken))),
            "apply",
            "--dry-run=server",
            "-f",
            "-");
    assertThat(dryRun.exitCode()).as(dryRun.output()).isNotZero();
    assertThat(dryRun.stderr())
        .contains("is forbidden: violates PodSecurity \"restricted:latest\"", expected);
  }

  // --- generated files are current ---

  @Test
  void theChartsCrdsAreTheGeneratedCrds() throws IOException {
    assertThat(Files.readString(CHART_CRD))
        .as("%s differs from %s: run scripts/sync-crds", CHART_CRD, CRD)
        .isEqualTo(Files.readString(CRD));
    Path chartClassCrd = Helm.CHART.resolve("crds").resolve(CLASS_CRD.getFileName());
    assertThat(Files.readString(chartClassCrd))
        .as("%s differs from %s: run scripts/sync-crds", chartClassCrd, CLASS_CRD)
        .isEqualTo(Files.readString(CLASS_CRD));
  }

  @Test
  void deployIsAFreshRenderOfTheChart(@TempDir Path out) throws IOException {
    var rendered =
        Helm.run(
            null,
            5,
            Map.of("SF_HELM", Helm.binary().toString()),
            "scripts/render-deploy",
            out.toString());
    assertThat(rendered.exitCode()).as(rendered.output()).isZero();
    for (String file : List.of("serverfleet-operator.yaml", "argocd/argocd-cm-snippet.yaml")) {
      assertThat(Files.readString(Path.of("deploy", file)))
          .as(
              "deploy/%s differs from a fresh render: run scripts/render-deploy (scripts/sync-crds after a CRD change)",
              file)
          .isEqualTo(Files.readString(out.resolve(file)));
    }
    var again =
        Helm.run(
            null,
            5,
            Map.of("SF_HELM", Helm.binary().toString()),
            "scripts/render-deploy",
            out.resolve("again").toString());
    assertThat(again.exitCode()).isZero();
    assertThat(Files.readString(out.resolve("again/serverfleet-operator.yaml")))
        .as("deterministic")
        .isEqualTo(Files.readString(out.resolve("serverfleet-operator.yaml")));
  }

  /** The JVM options of the Dockerfile's image, the same in the Jib image's and the chart's. */
  private static String imageJvmOptions() throws IOException {
    var dockerfile =
        Pattern.compile("(?m)^ENV JDK_JAVA_OPTIONS=\"([^\"]*)\"$")
            .matcher(Files.readString(Path.of("Dockerfile")));
    assertThat(dockerfile.find()).as("ENV JDK_JAVA_OPTIONS in the Dockerfile").isTrue();
    var jib =
        Pattern.compile("<JDK_JAVA_OPTIONS>([^<]*)</JDK_JAVA_OPTIONS>")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(jib.find()).as("JDK_JAVA_OPTIONS of the jib profile in pom.xml").isTrue();
    assertThat(jib.group(1)).as("the Jib image's JVM options").isEqualTo(dockerfile.group(1));
    return dockerfile.group(1);
  }

  // --- helpers ---

  /**
   * A Pod with the pod template of the chart's Deployment (default values), optionally weakened.
   */
  private static ObjectNode podFromChart(String namespace, Consumer<ObjectNode> weakenContainer) {
    ObjectNode deployment =
        only(documents(template("serverfleet-operator", namespace)), "Deployment");
    ObjectNode pod = Helm.YAML.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata")
        .put("name", "operator-pod")
        .put("namespace", namespace)
        .set("labels", deployment.at("/spec/template/metadata/labels").deepCopy());
    ObjectNode spec = (ObjectNode) deployment.at("/spec/template/spec").deepCopy();
    weakenContainer.accept((ObjectNode) spec.get("containers").get(0));
    pod.set("spec", spec);
    return pod;
  }

  private static void serverDryRun(List<ObjectNode> docs) {
    var dryRun = kubectl.runWithInput(Helm.toYaml(docs), "apply", "--dry-run=server", "-f", "-");
    assertThat(dryRun.exitCode()).as(dryRun.output()).isZero();
    assertThat(dryRun.stdout().lines().filter(l -> l.endsWith("(server dry run)")).count())
        .as(dryRun.stdout())
        .isEqualTo(docs.size());
  }

  private static void createNamespace(String name, Map<String, String> labels) {
    if (kubectl.run("get", "namespace", name).exitCode() == 0) {
      return;
    }
    var created = kubectl.run("create", "namespace", name);
    assertThat(created.exitCode()).as(created.output()).isZero();
    labels.forEach(
        (k, v) -> {
          var labelled = kubectl.run("label", "namespace", name, k + "=" + v);
          assertThat(labelled.exitCode()).as(labelled.output()).isZero();
        });
  }

  /** kubectl auth can-i VERB RESOURCE [-n NS|-A] as the operator's ServiceAccount. */
  private static boolean canI(String check) {
    List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(check.split(" ")));
    args.add("--as=" + SA);
    var answer = kubectl.run(args.toArray(String[]::new));
    assertThat(answer.stdout().strip())
        .as("kubectl %s: %s", String.join(" ", args), answer.output())
        .isIn("yes", "no");
    return answer.exitCode() == 0;
  }
}
