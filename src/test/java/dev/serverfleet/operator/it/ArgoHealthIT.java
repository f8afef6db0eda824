package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Argo CD health check of a ServerFleet (deploy/argocd/resource_customizations/...): its
 * health_test.yaml cases run by scripts/argocd-health-test with Lua 5.1, as Argo CD's gopher-lua
 * would, and the runner itself catches a wrong expectation.
 */
class ArgoHealthIT {
  static final Path CUSTOMIZATIONS = Path.of("deploy", "argocd", "resource_customizations");
  static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$");

  @Test
  void everyHealthTestCasePasses() {
    var run = Helm.run(null, 10, "scripts/argocd-health-test");
    assertThat(run.exitCode()).as(run.output()).isZero();
    var summary = SUMMARY.matcher(run.stdout());
    assertThat(summary.find()).as(run.output()).isTrue();
    // 11 health cases (Healthy, Progressing, Degraded, Suspended), all testdata used, the
    // argocd-cm snippet.
    assertThat(Integer.parseInt(summary.group(1))).as(run.stdout()).isGreaterThanOrEqualTo(13);
    assertThat(summary.group(2)).isEqualTo("0");
    assertThat(run.stdout())
        .contains(
            "testdata/healthy.yaml -> Healthy",
            "-> Progressing",
            "-> Degraded",
            "-> Suspended",
            "testdata/suspended-checkpoint.yaml -> Suspended",
            "testdata/degraded-auto-rolled-back.yaml -> Degraded");
  }

  @Test
  void aWrongExpectationFails(@TempDir Path dir) throws IOException {
    Path copy = dir.resolve("resource_customizations");
    try (Stream<Path> files = Files.walk(CUSTOMIZATIONS)) {
      for (Path source : files.toList()) {
        Path target = copy.resolve(CUSTOMIZATIONS.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    Path tests = copy.resolve("serverfleet.dev/ServerFleet/health_test.yaml");
    String original = Files.readString(tests);
    Files.writeString(tests, original.replaceFirst("status: Healthy", "status: Degraded"));

    var run = Helm.run(null, 10, "scripts/argocd-health-test", copy.toString());
    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(run.stdout())
        .contains("FAIL  serverfleet.dev/ServerFleet testdata/healthy.yaml -> Healthy")
        .containsPattern("(?m)^\\d+ passed, 1 failed$");
  }
}
