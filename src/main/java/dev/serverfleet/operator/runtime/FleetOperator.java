package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.controller.EventRecorder;
import dev.serverfleet.operator.controller.FleetLoop;
import dev.serverfleet.operator.controller.FleetMetrics;
import dev.serverfleet.operator.controller.ServerFleetReconciler;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator assembled: one reconciler, its EC2 poller and metrics, on a JOSDK {@link Operator}.
 * {@code Main} runs it as a process; integration tests run the very same wiring in-process.
 */
public final class FleetOperator implements AutoCloseable {
  private final Operator operator;

  private FleetOperator(Operator operator) {
    this.operator = operator;
  }

  public static FleetOperator start(OperatorConfig config, KubernetesClient client, Ec2Port ec2, Clock clock,
      MeterRegistry registry, PlanInput.Timing timing) {
    Operator operator = new Operator(o -> o
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withMetrics(MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource().build()));
    // An intent must outlive a poll that may not show its instances yet (see FleetPlanner).
    Duration retry = timing.retryAfter().compareTo(config.pollInterval().multipliedBy(2)) >= 0
        ? timing.retryAfter() : config.pollInterval().multipliedBy(2);
    timing = new PlanInput.Timing(retry, timing.expireAfter().compareTo(retry.multipliedBy(4)) >= 0
        ? timing.expireAfter() : retry.multipliedBy(4));
    var metrics = new FleetMetrics(registry);
    var loop = new FleetLoop(ec2, config.clusterName(), clock, timing, new EventRecorder(client, clock), metrics);
    var reconciler = new ServerFleetReconciler(ec2, config.pollInterval(), clock, timing.retryAfter(), loop, metrics);
    operator.register(reconciler, o -> {
      o.withGenerationAware(false).withOnUpdateFilter(ServerFleetReconciler::relevantUpdate);
      if (!config.namespaces().isEmpty()) {
        o.settingNamespaces(config.namespaces());
      }
    });
    operator.start();
    return new FleetOperator(operator);
  }

  /** Started, and every event source (informer, EC2 poller) healthy. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean alive() {
    return operator.getRuntimeInfo().isStarted();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
