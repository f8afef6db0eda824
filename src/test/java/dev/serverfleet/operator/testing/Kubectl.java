package dev.serverfleet.operator.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl built by scripts/control-plane, pointed at the test's API server. */
public final class Kubectl {
  public record Result(int exitCode, String stdout, String stderr) {
    public String output() {
      return stdout + stderr;
    }
  }

  private final Path binary;
  private final Path kubeconfig;

  public Kubectl(Path binary, Path kubeconfig) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
  }

  /** Finds kubectl where fabric8 kube-api-test finds the control plane. */
  public static Kubectl forKubeconfig(String kubeconfigYaml, String version) throws IOException {
    String dir =
        System.getenv()
            .getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest");
    Path binary = Path.of(dir, "k8s", version + "-linux-amd64", "kubectl");
    Path config = Files.createTempFile("kubeconfig-", ".yaml");
    config.toFile().deleteOnExit();
    Files.writeString(config, kubeconfigYaml);
    return new Kubectl(binary, config);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs kubectl with the given stdin (may be null); bounded at 60 s. */
  public Result runWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl " + args[0] + " did not finish in 60 s");
      }
      return new Result(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
