package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Grafana board's panels for metrics that exist only once their event happened (a capacity
 * fallback, a drain, a queue message): the names they query are the names the operator's Prometheus
 * registry gives these meters. PackagedOperatorE2E checks the other panels against the running jar;
 * its lifecycle has no fallback, drain or queue, so it leaves these three out.
 */
class EventMetricsExportTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void fallbacksDrainsAndQueueMessagesAreScrapedUnderTheNamesTheDashboardQueries()
      throws Exception {
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web").build());
    new FleetMetrics(registry).fallback(fleet, "insufficient_capacity");
    new DrainMetrics(registry).ended("deregister", "Succeeded", Duration.ofSeconds(30));
    // InterruptionConsumer.count registers under this name with these tags.
    Counter.builder(InterruptionConsumer.METRIC)
        .tag("type", "EC2 Spot Instance Interruption Warning")
        .tag("outcome", "accepted")
        .register(registry)
        .increment();

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains(
            "serverfleet_launch_fallbacks_total{name=\"web\",namespace=\"shop\","
                + "reason=\"insufficient_capacity\"} 1.0")
        .contains("serverfleet_drain_seconds_count{action=\"deregister\",outcome=\"Succeeded\"} 1")
        .contains("serverfleet_drain_seconds_sum{action=\"deregister\",outcome=\"Succeeded\"} 30.0")
        .contains("serverfleet_drain_seconds_max{action=\"deregister\",outcome=\"Succeeded\"} 30.0")
        .contains("serverfleet_interruption_messages_total{outcome=\"accepted\",");
    assertThat(dashboardExpressions())
        .anySatisfy(e -> assertThat(e).contains("serverfleet_launch_fallbacks_total{"))
        .anySatisfy(e -> assertThat(e).contains("serverfleet_drain_seconds_count["))
        .anySatisfy(e -> assertThat(e).contains("serverfleet_drain_seconds_max)"))
        .anySatisfy(e -> assertThat(e).contains("serverfleet_interruption_messages_total["));
  }

  private static List<String> dashboardExpressions() throws Exception {
    List<String> expressions = new ArrayList<>();
    new ObjectMapper()
        .readTree(Path.of("deploy", "grafana", "serverfleet-operator.json").toFile())
        .findValues("expr")
        .forEach(e -> expressions.add(e.asText()));
    return expressions;
  }
}
