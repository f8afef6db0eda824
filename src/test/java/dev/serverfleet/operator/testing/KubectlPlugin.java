package dev.serverfleet.operator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code target/kubectl-sf} run the way users run it: the real kubectl finds it on the
 * PATH (a directory holding only it) and runs {@code kubectl sf ...}. Each command gets the
 * environment given here (KUBECONFIG), its own cache directory for the plugin's class-data archive
 * (shared by the commands of one test class), and is bounded at 90 s.
 */
public final class KubectlPlugin {
  public static final Path BUILT = Path.of("target", "kubectl-sf");

  private final Path kubectl;
  private final Path bin;
  private final Path cache;

  private KubectlPlugin(Path kubectl, Path bin, Path cache) {
    this.kubectl = kubectl;
    this.bin = bin;
    this.cache = cache;
  }

  /**
   * Puts a copy of the built plugin into {@code dir}/bin, a PATH directory holding only it, with
   * {@code dir}/cache for its class-data archive ({@code dir}: the test class's {@code @TempDir}).
   */
  public static KubectlPlugin install(Path kubectl, Path dir) throws IOException {
    if (!Files.isExecutable(BUILT)) {
      throw new IllegalStateException(BUILT + " is missing: run mvn package first");
    }
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(BUILT, bin.resolve("kubectl-sf"), StandardCopyOption.COPY_ATTRIBUTES);
    return new KubectlPlugin(kubectl, bin, Files.createDirectories(dir.resolve("cache")));
  }

  public Path bin() {
    return bin;
  }

  /** A running {@code kubectl ARGS}: its stdout line by line as it comes, then its result. */
  public final class Running {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> out = new ArrayList<>();
    private final StringBuilder err = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    Running(Process process) {
      this.process = process;
      this.outReader =
          reader(
              process.getInputStream(),
              line -> {
                synchronized (out) {
                  out.add(line);
                }
                lines.add(line);
              });
      this.errReader =
          reader(
              process.getErrorStream(),
              line -> {
                synchronized (err) {
                  err.append(line).append('\n');
                }
              });
    }

    /** The next line on stdout, waiting at most 60 s; null if none came. */
    public String nextLine() throws InterruptedException {
      return lines.poll(60, TimeUnit.SECONDS);
    }

    public Kubectl.Result finish() throws InterruptedException {
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl sf did not finish in 90 s; stdout so far: " + out);
      }
      outReader.join();
      errReader.join();
      synchronized (out) {
        String stdout = out.isEmpty() ? "" : String.join("\n", out) + "\n";
        return new Kubectl.Result(process.exitValue(), stdout, err.toString());
      }
    }
  }

  public Running start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(kubectl.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> environment = pb.environment();
    environment.put(
        "PATH", bin + ":" + kubectl.getParent() + ":" + System.getenv().getOrDefault("PATH", ""));
    environment.put("XDG_CACHE_HOME", cache.toString());
    environment.putAll(env);
    Process process = pb.start();
    process.getOutputStream().close();
    return new Running(process);
  }

  /** Runs {@code kubectl ARGS} to the end. */
  public Kubectl.Result run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return start(new HashMap<>(env), args).finish();
  }

  private static Thread reader(InputStream stream, java.util.function.Consumer<String> sink) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                // the process ended; what was read is kept
              }
            },
            "kubectl-sf-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
