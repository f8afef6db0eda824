package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The API server as the command line chose it, the way kubectl reads its flags: {@code
 * --kubeconfig} over {@code KUBECONFIG} over {@code ~/.kube/config}; {@code --context} over the
 * current context; {@code -n} over the context's namespace over {@code default}.
 */
final class Cluster implements AutoCloseable {
  /** The server this process talks to, for error messages (one connection per process). */
  private static volatile String server;

  private final KubernetesClient client;
  private final String namespace;

  private Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  static Cluster connect(String kubeconfig, String context, String namespace) {
    Config config = config(kubeconfig, context);
    // kubectl tries once; fabric8 would retry a refused connection for seconds
    config.setRequestRetryBackoffLimit(0);
    server = config.getMasterUrl();
    String ns = namespace != null ? namespace : config.getNamespace();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    return new Cluster(client, ns == null || ns.isEmpty() ? "default" : ns);
  }

  private static Config config(String kubeconfig, String context) {
    if (kubeconfig != null) {
      if (!Files.isRegularFile(Path.of(kubeconfig))) {
        throw CliError.line(
            "Error in configuration: stat " + kubeconfig + ": no such file or directory");
      }
      // fabric8 reads the file named by this property before KUBECONFIG
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig);
    }
    Config config = Config.autoConfigure(context);
    // fabric8 falls back to the current context when the named one is missing; kubectl refuses
    if (context != null
        && (config.getCurrentContext() == null
            || !context.equals(config.getCurrentContext().getName()))) {
      throw CliError.line(
          "Error in configuration: context was not found for specified context: " + context);
    }
    return config;
  }

  KubernetesClient client() {
    return client;
  }

  String namespace() {
    return namespace;
  }

  Resource<ServerFleet> fleetResource(String name) {
    return client.resources(ServerFleet.class).inNamespace(namespace).withName(name);
  }

  /** The fleet, or kubectl's NotFound error. */
  ServerFleet fleet(String name) {
    ServerFleet fleet = fleetResource(name).get();
    if (fleet == null) {
      throw CliError.fleetNotFound(name);
    }
    return fleet;
  }

  /** The fleet's history: its ControllerRevisions, found by the fleet's uid. */
  List<ControllerRevision> revisions(ServerFleet fleet) {
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(namespace)
        .withLabel(FleetRevisions.FLEET_UID, fleet.getMetadata().getUid())
        .list()
        .getItems();
  }

  /**
   * An API error as kubectl prints it: {@code Error from server (Forbidden): ...}, or for a server
   * that does not answer {@code The connection to the server HOST:PORT was refused - ...}.
   */
  static CliError describe(KubernetesClientException e) {
    return describe(e, server);
  }

  static CliError describe(KubernetesClientException e, String server) {
    var status = e.getStatus();
    if (status != null && status.getReason() != null && status.getMessage() != null) {
      return CliError.line(
          "Error from server (" + status.getReason() + "): " + status.getMessage());
    }
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return CliError.line(
            "The connection to the server "
                + hostAndPort(server)
                + " was refused - did you specify the right host or port?");
      }
      root = t;
    }
    return CliError.of(
        "could not reach the Kubernetes API server "
            + hostAndPort(server)
            + ": "
            + (root.getMessage() != null ? root.getMessage() : root.getClass().getName()));
  }

  private static String hostAndPort(String url) {
    if (url == null) {
      return "(none configured)";
    }
    URI uri = URI.create(url);
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  @Override
  public void close() {
    client.close();
  }
}
