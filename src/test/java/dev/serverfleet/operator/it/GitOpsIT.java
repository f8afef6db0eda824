package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.testing.Kubectl;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a GitOps tool sees: applying examples/web-fleet.yaml again changes nothing and the API
 * server stores exactly the spec in git (the CRD injects no defaults, so Argo CD never shows
 * OutOfSync for a fleet nobody touched); and the documented argocd-cm patch installs the health
 * check. The operator does not run here: this is about the API server and the manifests.
 */
@EnableKubeAPIServer(kubeAPIVersion = HelmChartIT.K8S_VERSION)
class GitOpsIT {
  static final Path EXAMPLE = Path.of("examples", "web-fleet.yaml");
  static final Path HEALTH_LUA =
      Path.of(
          "deploy",
          "argocd",
          "resource_customizations",
          "serverfleet.dev",
          "ServerFleet",
          "health.lua");
  static final ObjectMapper JSON = new ObjectMapper();

  @KubeConfig static String kubeconfigYaml;
  static Kubectl kubectl;

  @BeforeAll
  static void apiServer() throws IOException {
    kubectl = Kubectl.forKubeconfig(kubeconfigYaml, HelmChartIT.K8S_VERSION);
    var crd =
        kubectl.runWithInput(
            Files.readString(HelmChartIT.CRD), "apply", "--server-side", "-f", "-");
    assertThat(crd.exitCode()).as(crd.output()).isZero();
    var established =
        kubectl.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev");
    assertThat(established.exitCode()).as(established.output()).isZero();
  }

  @Test
  void serverSideApplyOfTheExampleTwiceChangesNothing() throws IOException {
    String manifest = Files.readString(EXAMPLE);
    var first =
        kubectl.runWithInput(
            manifest, "apply", "--server-side", "--field-manager=argocd-controller", "-f", "-");
    assertThat(first.exitCode()).as(first.output()).isZero();
    JsonNode before = stored("default", "web");

    var second =
        kubectl.runWithInput(
            manifest, "apply", "--server-side", "--field-manager=argocd-controller", "-f", "-");
    assertThat(second.exitCode()).as(second.output()).isZero();
    JsonNode after = stored("default", "web");

    assertThat(after.at("/metadata/resourceVersion"))
        .as("a no-op apply is not a write")
        .isEqualTo(before.at("/metadata/resourceVersion"));
    assertThat(after.at("/metadata/generation").asLong()).isEqualTo(1);
    assertThat(after.at("/metadata/managedFields")).isEqualTo(before.at("/metadata/managedFields"));
    assertThat(after.at("/metadata/managedFields").size())
        .as("one manager, the GitOps tool")
        .isEqualTo(1);

    // What Argo CD's server-side diff does: nothing to show.
    var diff =
        kubectl.runWithInput(
            manifest, "diff", "--server-side", "--field-manager=argocd-controller", "-f", "-");
    assertThat(diff.exitCode()).as("kubectl diff found a difference:%n%s", diff.output()).isZero();
    assertThat(diff.stdout()).isEmpty();

    // The stored spec is the file's spec, field for field: no defaults were written into it.
    assertThat(after.get("spec")).isEqualTo(fileSpec(manifest));
  }

  @Test
  void clientSideApplyOfTheExampleTwiceReportsUnchanged() throws IOException {
    // Argo CD's default sync is a client-side kubectl apply.
    var ns = kubectl.run("create", "namespace", "gitops-csa");
    assertThat(ns.exitCode()).as(ns.output()).isZero();
    String manifest =
        Files.readString(EXAMPLE).replace("namespace: default", "namespace: gitops-csa");

    var first = kubectl.runWithInput(manifest, "apply", "-f", "-");
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.stdout()).contains("serverfleet.serverfleet.dev/web created");
    JsonNode before = stored("gitops-csa", "web");

    var second = kubectl.runWithInput(manifest, "apply", "-f", "-");
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.stdout().strip()).isEqualTo("serverfleet.serverfleet.dev/web unchanged");
    assertThat(stored("gitops-csa", "web").at("/metadata/resourceVersion"))
        .isEqualTo(before.at("/metadata/resourceVersion"));
    assertThat(before.get("spec")).isEqualTo(fileSpec(manifest));
  }

  @Test
  void theDocumentedArgocdCmPatchInstallsTheHealthCheck() throws IOException {
    assertThat(kubectl.run("create", "namespace", "argocd").exitCode()).isZero();
    var existing =
        kubectl.run(
            "-n",
            "argocd",
            "create",
            "configmap",
            "argocd-cm",
            "--from-literal=url=https://argocd.example.com");
    assertThat(existing.exitCode()).as(existing.output()).isZero();

    // The command in deploy/argocd/argocd-cm-snippet.yaml's header.
    var patched =
        kubectl.run(
            "-n",
            "argocd",
            "patch",
            "configmap",
            "argocd-cm",
            "--type",
            "merge",
            "--patch-file",
            "deploy/argocd/argocd-cm-snippet.yaml");
    assertThat(patched.exitCode()).as(patched.output()).isZero();

    JsonNode cm =
        JSON.readTree(
            kubectl.run("-n", "argocd", "get", "configmap", "argocd-cm", "-o", "json").stdout());
    assertThat(cm.at("/data/url").asText())
        .as("other settings kept")
        .isEqualTo("https://argocd.example.com");
    assertThat(cm.at("/data/resource.customizations.health.serverfleet.dev_ServerFleet").asText())
        .isEqualTo(Files.readString(HEALTH_LUA));
  }

  private static JsonNode stored(String namespace, String name) throws IOException {
    var got =
        kubectl.run(
            "get", "serverfleet", name, "-n", namespace, "-o", "json", "--show-managed-fields");
    assertThat(got.exitCode()).as(got.output()).isZero();
    return JSON.readTree(got.stdout());
  }

  private static JsonNode fileSpec(String manifest) {
    return Helm.documents(manifest).get(0).get("spec");
  }
}
