package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-fleet metrics: {@code serverfleet_fleet_replicas{namespace,name,kind=desired|current|ready}},
 * {@code serverfleet_instances_launched_total}, {@code serverfleet_instances_terminated_total} and
 * {@code serverfleet_launch_fallbacks_total{reason}} (a launch that found its offering out of
 * capacity and moved on to the next instance type or subnet).
 */
public final class FleetMetrics {
  /**
   * Every per-fleet meter's name starts with this; others' meters may carry namespace/name tags
   * too.
   */
  private static final String PREFIX = "serverfleet.";

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger[]> gauges = new ConcurrentHashMap<>();

  public FleetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void launched(ServerFleet fleet, int count) {
    Counter.builder("serverfleet.instances.launched")
        .description("Instances launched")
        .tags(tags(fleet))
        .register(registry)
        .increment(count);
  }

  void terminated(ServerFleet fleet, int count, String reason) {
    Counter.builder("serverfleet.instances.terminated")
        .description("Instances terminated")
        .tags(tags(fleet).and("reason", reason))
        .register(registry)
        .increment(count);
  }

  /** A launch fell back from an offering EC2 had no capacity for; reason is EC2's code family. */
  void fallback(ServerFleet fleet, String reason) {
    Counter.builder("serverfleet.launch.fallbacks")
        .description("Launches that found their offering out of capacity and fell back")
        .tags(tags(fleet).and("reason", reason))
        .register(registry)
        .increment();
  }

  void replicas(ServerFleet fleet, int desired, int current, int ready) {
    AtomicInteger[] values = gauges.computeIfAbsent(key(fleet), k -> register(fleet));
    values[0].set(desired);
    values[1].set(current);
    values[2].set(ready);
  }

  /**
   * Removes every serverfleet meter tagged with this fleet's namespace and name (replicas gauges,
   * launched and terminated counters of every reason), so a deleted fleet leaves no series behind.
   */
  void forget(ServerFleet fleet) {
    gauges.remove(key(fleet));
    String namespace = fleet.getMetadata().getNamespace();
    String name = fleet.getMetadata().getName();
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      if (id.getName().startsWith(PREFIX)
          && namespace.equals(id.getTag("namespace"))
          && name.equals(id.getTag("name"))) {
        registry.remove(meter);
      }
    }
  }

  private AtomicInteger[] register(ServerFleet fleet) {
    AtomicInteger[] values = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    String[] kinds = {"desired", "current", "ready"};
    for (int i = 0; i < kinds.length; i++) {
      Gauge.builder("serverfleet.fleet.replicas", values[i], AtomicInteger::get)
          .description(
              "Instances of a fleet: desired, current (pending or running), ready (running)")
          .tags(tags(fleet).and("kind", kinds[i]))
          .register(registry);
    }
    return values;
  }

  private static String key(ServerFleet fleet) {
    return fleet.fleetKey();
  }

  private static Tags tags(ServerFleet fleet) {
    return Tags.of(
        "namespace", fleet.getMetadata().getNamespace(), "name", fleet.getMetadata().getName());
  }
}
