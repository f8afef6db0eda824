package dev.serverfleet.operator.it;

import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Kubectl;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the kubectl plugin's ITs share: the CRD, kubectl's path and kubeconfigs with contexts. */
final class PluginTestBed {
  private PluginTestBed() {}

  static Path kubectlBinary() {
    String dir =
        System.getenv()
            .getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    return Path.of(dir, "k8s", ControlPlaneTestBed.K8S_VERSION + "-linux-amd64", "kubectl");
  }

  static void installCrd(Kubectl kubectl) throws IOException {
    var applied =
        kubectl.runWithInput(
            Files.readString(ControlPlaneTestBed.CRD), "apply", "--server-side", "-f", "-");
    if (applied.exitCode() != 0) {
      throw new IllegalStateException("CRD not accepted: " + applied.output());
    }
    var established =
        kubectl.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev");
    if (established.exitCode() != 0) {
      throw new IllegalStateException("CRD not established: " + established.output());
    }
  }

  /**
   * The kubeconfig with a second context {@code name} on the same cluster and user, whose namespace
   * is {@code namespace}; the current context is that one if {@code current}, else the first.
   */
  static String withFleetsContext(
      KubernetesClient client,
      String kubeconfigYaml,
      String name,
      String namespace,
      boolean current) {
    var json = client.getKubernetesSerialization();
    Config config = json.unmarshal(kubeconfigYaml, Config.class);
    NamedContext first = config.getContexts().get(0);
    NamedContext fleets =
        new NamedContextBuilder(first)
            .withName(name)
            .editContext()
            .withNamespace(namespace)
            .endContext()
            .build();
    List<NamedContext> contexts = new ArrayList<>(config.getContexts());
    contexts.add(fleets);
    config.setContexts(contexts);
    config.setCurrentContext(current ? name : first.getName());
    return json.asYaml(config);
  }
}
