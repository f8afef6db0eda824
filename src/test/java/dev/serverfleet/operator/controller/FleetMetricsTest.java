package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FleetMetrics metrics = new FleetMetrics(registry);

  @Test
  void forgetRemovesEveryMeterOfTheFleetAndKeepsOtherFleets() {
    ServerFleet web = fleet("shop", "web");
    ServerFleet api = fleet("shop", "api");
    ServerFleet webElsewhere = fleet("blog", "web");
    // Someone else's meter with the same tags is not ours to remove.
    Counter foreign =
        registry.counter("http.requests", Tags.of("namespace", "shop", "name", "web"));
    for (ServerFleet f : List.of(web, api, webElsewhere)) {
      recordEveryKind(f);
    }
    assertThat(meters(web))
        .extracting(m -> m.getId().getName())
        .contains(
            "serverfleet.instances.launched",
            "serverfleet.instances.terminated",
            "serverfleet.fleet.replicas");
    int apiMeters = meters(api).size();

    metrics.forget(web);

    assertThat(meters(web)).isEmpty();
    assertThat(meters(api)).hasSize(apiMeters);
    assertThat(meters(webElsewhere)).hasSize(apiMeters);
    assertThat(registry.getMeters()).contains(foreign);
  }

  @Test
  void forgetWorksWithoutReplicasGaugesAndAFleetRecordsAgainAfterward() {
    ServerFleet web = fleet("shop", "web");
    metrics.launched(web, 1);

    metrics.forget(web);
    assertThat(meters(web)).isEmpty();

    metrics.replicas(web, 2, 1, 1);
    assertThat(
            registry
                .find("serverfleet.fleet.replicas")
                .tags("namespace", "shop", "name", "web", "kind", "desired")
                .gauge()
                .value())
        .isEqualTo(2);
  }

  private void recordEveryKind(ServerFleet fleet) {
    metrics.launched(fleet, 3);
    metrics.terminated(fleet, 1, "scale_in");
    metrics.terminated(fleet, 1, "rollout");
    metrics.terminated(fleet, 2, "deleted");
    metrics.replicas(fleet, 3, 2, 1);
  }

  /** This operator's meters of the fleet. */
  private List<Meter> meters(ServerFleet fleet) {
    return registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("serverfleet."))
        .filter(m -> fleet.getMetadata().getNamespace().equals(m.getId().getTag("namespace")))
        .filter(m -> fleet.getMetadata().getName().equals(m.getId().getTag("name")))
        .toList();
  }

  private static ServerFleet fleet(String namespace, String name) {
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    return fleet;
  }
}
