package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.testing.Kubectl;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the chart's ValidatingAdmissionPolicy does when it cannot judge, on a real API server:
 * failurePolicy Fail refuses fleets while the ServerFleetClass CRD (its parameter kind) is missing,
 * as after a {@code helm upgrade} that installed no new CRD; parameterNotFoundAction Allow admits
 * fleets once the CRD exists but no class does.
 */
@EnableKubeAPIServer(kubeAPIVersion = HelmChartIT.K8S_VERSION)
class AdmissionPolicyFailureIT {
  @KubeConfig static String kubeconfigYaml;

  @Test
  void refusedWithoutTheClassCrdAdmittedWithoutClasses() throws IOException {
    Kubectl admin = Kubectl.forKubeconfig(kubeconfigYaml, HelmChartIT.K8S_VERSION);
    ok(admin.runWithInput(Files.readString(HelmChartIT.CRD), "apply", "--server-side", "-f", "-"));
    ok(
        admin.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev"));
    String policy =
        Helm.template(
            "serverfleet-operator",
            "serverfleet-system",
            "--show-only",
            "templates/validatingadmissionpolicy.yaml");
    ok(admin.runWithInput(policy, "apply", "--server-side", "-f", "-"));
    ok(admin.run("create", "namespace", "team-a"));
    String fleet =
        ClassAdmissionIT.fleet("web", "team-a", null).replace("  className: team-a\n", "");

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> dryRun(admin, fleet).exitCode() != 0);
    var refused = dryRun(admin, fleet);
    assertThat(refused.stderr())
        .contains(
            "ValidatingAdmissionPolicy 'serverfleet-operator-classes' denied request: failed to"
                + " configure policy: failed to find resource referenced by paramKind:"
                + " 'serverfleet.dev/v1alpha1, Kind=ServerFleetClass'");

    ok(
        admin.runWithInput(
            Files.readString(HelmChartIT.CLASS_CRD), "apply", "--server-side", "-f", "-"));
    ok(
        admin.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleetclasses.serverfleet.dev"));
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> dryRun(admin, fleet).exitCode() == 0);
    var created = admin.runWithInput(fleet, "create", "-f", "-");
    assertThat(created.exitCode()).as(created.output()).isZero();
  }

  private static Kubectl.Result dryRun(Kubectl kubectl, String manifest) {
    return kubectl.runWithInput(manifest, "create", "--dry-run=server", "-f", "-");
  }

  private static void ok(Kubectl.Result result) {
    assertThat(result.exitCode()).as(result.output()).isZero();
  }
}
