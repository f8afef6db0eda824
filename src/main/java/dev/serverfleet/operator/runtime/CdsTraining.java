package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Clock;
import java.util.Map;

/**
 * The training run of the image's AppCDS archive: {@code java -XX:ArchiveClassesAtExit=... -cp
 * serverfleet-operator.jar dev.serverfleet.operator.runtime.CdsTraining} walks the start-up path of
 * {@link Main} (configuration, JSON logging, metrics, probes, the Kubernetes and EC2 clients, one
 * start of the operator and one EC2 call) against endpoints that refuse every connection, then
 * exits, so that the JVM archives the classes a real start loads. It needs no cluster and no AWS
 * account, so it runs in an image build (Dockerfile). Not a mode of the operator: nothing here
 * reaches a real API server or EC2.
 */
public final class CdsTraining {
  private static final String NOWHERE = "http://127.0.0.1:9";

  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    OperatorConfig config =
        OperatorConfig.parse(
            new String[] {
              "--region=us-east-1",
              "--ec2-endpoint=" + NOWHERE,
              "--management-port=0",
              "--sdk-retries=false",
              "--log-format=json"
            },
            Map.of());
    System.setProperty("SF_LOG_FORMAT", config.logFormat());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var josdkMetrics = FleetOperator.instrument(registry);
    new JvmMemoryMetrics().bindTo(registry);
    CloudPorts cloud = Main.cloud(config, registry);
    var ec2 = cloud.ec2();
    try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder()
                        .withMasterUrl("https://127.0.0.1:9")
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        ManagementServer management = new ManagementServer(0, registry, () -> true, () -> false)) {
      try {
        ec2.describeOwned(config.clusterName());
      } catch (CloudException expected) {
        // refused, as intended: the request was built, signed and sent
      }
      try {
        FleetOperator.start(
                config,
                client,
                cloud,
                Clock.systemUTC(),
                registry,
                josdkMetrics,
                PlanInput.Timing.DEFAULT)
            .close();
      } catch (RuntimeException expected) {
        // no API server, as intended
      }
      for (String path : new String[] {"/metrics", "/healthz", "/readyz"}) {
        get(URI.create("http://127.0.0.1:" + management.port() + path));
      }
    }
    System.exit(0);
  }

  private static void get(URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.getResponseCode();
    InputStream body =
        connection.getErrorStream() != null
            ? connection.getErrorStream()
            : connection.getInputStream();
    body.readAllBytes();
    connection.disconnect();
  }
}
