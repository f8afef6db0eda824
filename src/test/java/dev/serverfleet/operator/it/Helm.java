package dev.serverfleet.operator.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.serverfleet.operator.testing.Kubectl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The helm binary scripts/helm builds from its Go module (pinned in tools/helm), the chart, and
 * small helpers to run commands and read rendered manifests.
 */
final class Helm {
  static final Path CHART = Path.of("helm", "serverfleet-operator");
  static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper MULTI_DOC = new ObjectMapper(new YAMLFactory());

  private static Path binary;

  private Helm() {}

  /**
   * The helm binary: $SF_HELM (scripts/test exports it) or the sf.helm system property, else
   * whatever scripts/helm prints (it builds helm when it is not cached, which takes minutes). The
   * calling test is skipped only when no helm can be had at all (e.g. no Go toolchain).
   */
  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    for (String configured :
        new String[] {System.getenv("SF_HELM"), System.getProperty("sf.helm")}) {
      if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
        return binary = Path.of(configured);
      }
    }
    var built = run(null, 20, "scripts/helm");
    String path = built.stdout().strip();
    assumeTrue(
        built.exitCode() == 0 && !path.isEmpty() && Files.isExecutable(Path.of(path)),
        "no helm binary: SF_HELM is not set and scripts/helm could not build one (it needs Go 1.24+):\n"
            + built.output());
    return binary = Path.of(path);
  }

  /** Runs helm with the given arguments from the project directory. */
  static Kubectl.Result helm(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    return run(null, 2, command.toArray(String[]::new));
  }

  /** {@code helm template} of the chart; fails the test when helm fails. */
  static String template(String release, String namespace, String... extraArgs) {
    List<String> args =
        new ArrayList<>(List.of("template", release, CHART.toString(), "--namespace", namespace));
    args.addAll(List.of(extraArgs));
    var rendered = helm(args.toArray(String[]::new));
    if (rendered.exitCode() != 0) {
      throw new AssertionError("helm " + String.join(" ", args) + " failed:\n" + rendered.output());
    }
    return rendered.stdout();
  }

  /** A values file for {@code -f}, written to a temporary file. */
  static String valuesFile(String yaml) {
    try {
      Path file = Files.createTempFile("values-", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, yaml);
      return file.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The documents of a multi-document YAML stream (empty documents dropped). */
  static List<ObjectNode> documents(String yaml) {
    try (var it = MULTI_DOC.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      List<ObjectNode> docs = new ArrayList<>();
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc instanceof ObjectNode object && object.size() > 0) {
          docs.add(object);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new IllegalStateException("unreadable YAML:\n" + yaml, e);
    }
  }

  static String toYaml(List<? extends JsonNode> docs) {
    return docs.stream()
        .map(
            d -> {
              try {
                return YAML.writeValueAsString(d);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            })
        .collect(Collectors.joining());
  }

  /** "Kind namespace/name" of every document, in order. */
  static List<String> objects(List<ObjectNode> docs) {
    return docs.stream().map(Helm::describe).toList();
  }

  static String describe(JsonNode doc) {
    String ns = doc.path("metadata").path("namespace").asText("");
    return doc.path("kind").asText()
        + " "
        + (ns.isEmpty() ? "" : ns + "/")
        + doc.path("metadata").path("name").asText();
  }

  static ObjectNode only(List<ObjectNode> docs, String kind) {
    var matching = docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one " + kind + ", got " + objects(docs));
    }
    return matching.get(0);
  }

  /** The container's environment as a map (value only; valueFrom entries map to ""). */
  static Map<String, String> env(ObjectNode deployment) {
    JsonNode env = deployment.at("/spec/template/spec/containers/0/env");
    Map<String, String> out = new java.util.LinkedHashMap<>();
    env.forEach(e -> out.put(e.path("name").asText(), e.path("value").asText("")));
    return out;
  }

  /** Runs a command from the project directory with optional stdin, bounded by {@code minutes}. */
  static Kubectl.Result run(String stdin, int minutes, String... command) {
    return run(stdin, minutes, Map.of(), command);
  }

  static Kubectl.Result run(String stdin, int minutes, Map<String, String> env, String... command) {
    try {
      var builder = new ProcessBuilder(command);
      builder.environment().putAll(env);
      Process p = builder.start();
      // Read both streams while the process runs: a full pipe would block it.
      var out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + minutes + " min");
      }
      return new Kubectl.Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String readAll(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
