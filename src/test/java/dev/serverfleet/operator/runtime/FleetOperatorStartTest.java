package dev.serverfleet.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a failed start leaves behind, so that {@code Main} can simply try again. */
class FleetOperatorStartTest {
  private static final String EXECUTING = "operator.sdk.reconciliations.executions.serverfleet";
  private static final String QUEUED = "operator.sdk.reconciliations.queue.size.serverfleet";

  @Test
  void aFailedStartLeavesNoJosdkGaugeForTheNextAttemptToCollideWith() throws IOException {
    var registry = new SimpleMeterRegistry();
    var josdkMetrics = FleetOperator.instrument(registry);
    var config = OperatorConfig.of("c", "us-east-1", Optional.empty(), Duration.ofSeconds(1));
    try (KubernetesClient unreachable =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:" + closedPort())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      for (int attempt = 0; attempt < 2; attempt++) {
        assertThatThrownBy(
                () ->
                    FleetOperator.start(
                        config,
                        unreachable,
                        CloudPorts.of(new FakeEc2(Clock.systemUTC())),
                        Clock.systemUTC(),
                        registry,
                        josdkMetrics,
                        PlanInput.Timing.DEFAULT))
            .hasMessageContaining("Error starting operator");
        assertThat(registry.find(EXECUTING).gauge()).as("after attempt %d", attempt).isNull();
        assertThat(registry.find(QUEUED).gauge()).as("after attempt %d", attempt).isNull();
      }
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
