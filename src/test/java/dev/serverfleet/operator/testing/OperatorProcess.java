package dev.serverfleet.operator.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built operator jar ({@code target/serverfleet-operator.jar}) running as a process, configured
 * by environment variables exactly as the container image runs it. For end-to-end tests.
 */
public final class OperatorProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "serverfleet-operator.jar");

  private final Process process;
  private final Path log;
  private final int managementPort;

  private OperatorProcess(Process process, Path log, int managementPort) {
    this.process = process;
    this.log = log;
    this.managementPort = managementPort;
  }

  /**
   * @param name names the log file, target/operator-{name}.log
   * @param env SF_* settings; KUBECONFIG must point at the kubeconfig to use
   */
  public static OperatorProcess start(String name, Map<String, String> env) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          JAR + " is missing: run the package phase first (mvn verify does)");
    }
    int port = freePort();
    Path log = Path.of("target", "operator-" + name + ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                JAR.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("SF_MANAGEMENT_PORT", String.valueOf(port));
    builder.environment().putIfAbsent("AWS_ACCESS_KEY_ID", "testing");
    builder.environment().putIfAbsent("AWS_SECRET_ACCESS_KEY", "testing");
    builder.environment().putIfAbsent("AWS_REGION", MotoServer.REGION);
    return new OperatorProcess(builder.start(), log, port);
  }

  public int managementPort() {
    return managementPort;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** GET on the management port; -1 when nothing answers. */
  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  public int status(String path) {
    try {
      return get(path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGKILL: the process dies as in a node failure, with no chance to release its lease. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait: a graceful shutdown. Returns the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
