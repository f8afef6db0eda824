package dev.serverfleet.operator.bench;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.controller.FleetEvents;
import dev.serverfleet.operator.controller.FleetLoop;
import dev.serverfleet.operator.controller.FleetMetrics;
import dev.serverfleet.operator.controller.InstancePoller;
import dev.serverfleet.operator.controller.MemoryFleetStore;
import dev.serverfleet.operator.controller.Observation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Prints the figures DESIGN.md holds the operator to, measured on the in-memory EC2: EC2 calls per
 * poll for all fleets, RunInstances and CreateTags calls per scale-up, the heap the operator's
 * state takes for 1,000 fleets and 10,000 instances, and the time of one pass over every fleet. A
 * benchmark, not a test: it asserts nothing and the machine's noise shows in the times.
 *
 * <p>Run: {@code scripts/bench} (or any JVM with the test classpath).
 */
public final class FleetScaleBenchmark {
  static final String CLUSTER = "bench";
  static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");

  public static void main(String[] args) {
    int fleets = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int perFleet = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    FakeEc2 ec2 = new FakeEc2(clock);
    FleetEvents quiet =
        new FleetEvents() {
          @Override
          public void normal(ServerFleet fleet, String reason, String message) {}

          @Override
          public void warning(ServerFleet fleet, String reason, String message) {}
        };
    FleetLoop loop =
        new FleetLoop(
            ec2,
            CLUSTER,
            clock,
            PlanInput.Timing.DEFAULT,
            quiet,
            new FleetMetrics(new SimpleMeterRegistry()),
            new MemoryFleetStore(changed -> changed));
    // The bench fleets keep the default healthCheck (EC2): no DescribeInstanceStatus is due.
    InstancePoller poller = new InstancePoller(ec2, CLUSTER, fleet -> false);

    List<ServerFleet> all = new ArrayList<>();
    for (int n = 0; n < fleets; n++) {
      all.add(fleet("ns-" + (n % 50), "fleet-" + n, perFleet));
    }

    // Scale every fleet from 0 to perFleet: one pass each, then let the launches settle.
    Map<ResourceID, List<Instance>> cache = new HashMap<>();
    int runBefore = ec2.calls(FakeEc2.RUN);
    long started = System.nanoTime();
    for (int n = 0; n < all.size(); n++) {
      all.set(n, pass(loop, all.get(n), cache));
    }
    long firstPassMs = (System.nanoTime() - started) / 1_000_000;
    int runCalls = ec2.calls(FakeEc2.RUN) - runBefore;
    clock.advance(Duration.ofMinutes(1));

    int describeBefore = ec2.calls(FakeEc2.DESCRIBE);
    int statusBefore = ec2.calls(FakeEc2.DESCRIBE_STATUS);
    started = System.nanoTime();
    Map<ResourceID, Set<Instance>> polled = poller.fetchResources();
    long pollMs = (System.nanoTime() - started) / 1_000_000;
    int describeCalls = ec2.calls(FakeEc2.DESCRIBE) - describeBefore;
    int statusCalls = ec2.calls(FakeEc2.DESCRIBE_STATUS) - statusBefore;
    cache.clear();
    polled.forEach((id, set) -> cache.put(id, List.copyOf(set)));
    int instances = polled.values().stream().mapToInt(Set::size).sum();

    // A steady pass: nothing to do, status unchanged, for every fleet.
    started = System.nanoTime();
    for (int n = 0; n < all.size(); n++) {
      all.set(n, pass(loop, all.get(n), cache));
    }
    long steadyPassMs = (System.nanoTime() - started) / 1_000_000;

    long heap = usedHeapAfterGc();
    System.out.printf(
        "fleets=%d instances=%d (%d per fleet, %d subnets)%n",
        fleets, instances, perFleet, SUBNETS.size());
    System.out.printf(
        "DescribeInstances calls per poll for all fleets: %d (goal: ceil(%d/1000) = %d)%n",
        describeCalls, instances, (instances + 999) / 1000);
    System.out.printf("DescribeInstanceStatus calls per poll: %d%n", statusCalls);
    System.out.printf(
        "RunInstances calls to scale %d fleets 0->%d over %d subnets: %d (%.1f per fleet; goal <= %d)%n",
        fleets, perFleet, SUBNETS.size(), runCalls, (double) runCalls / fleets, SUBNETS.size());
    System.out.printf(
        "DeleteTags calls: %d; CreateTags: none possible (Ec2Port has no such call: tags go with"
            + " RunInstances' TagSpecifications)%n",
        ec2.calls(FakeEc2.DELETE_TAGS));
    System.out.printf(
        "poll of %d instances: %d ms; first pass over all fleets: %d ms; steady pass: %d ms%n",
        instances, pollMs, firstPassMs, steadyPassMs);
    System.out.printf(
        "heap used after GC, holding %d fleets with status, the poll cache and the fake EC2: %d MiB"
            + " (goal <= 256 MiB; JOSDK's informer cache of the ServerFleets is not in this figure)%n",
        fleets, heap / (1024 * 1024));
    if (all.isEmpty() || cache.isEmpty()) {
      System.out.println("nothing held"); // keeps the measured objects reachable until here
    }
  }

  private static ServerFleet pass(
      FleetLoop loop, ServerFleet fleet, Map<ResourceID, List<Instance>> cache) {
    ResourceID id = ResourceID.fromResource(fleet);
    List<Instance> observed = new ArrayList<>(cache.getOrDefault(id, List.of()));
    ServerFleet[] stored = {fleet};
    // The next sweep shows what this pass launched.
    loop.run(
        fleet,
        new Observation(observed, List.of()),
        (current, status) -> stored[0] = withStatus(current, status),
        new FleetLoop.CacheUpdates() {
          @Override
          public void launched(Instance instance) {
            observed.add(instance);
          }

          @Override
          public void terminating(String instanceId) {}
        });
    cache.put(id, observed);
    return stored[0];
  }

  private static ServerFleet withStatus(ServerFleet fleet, ServerFleetStatus status) {
    ServerFleet copy = new ServerFleet();
    copy.setMetadata(fleet.getMetadata());
    copy.setSpec(fleet.getSpec());
    copy.setStatus(status);
    return copy;
  }

  private static ServerFleet fleet(String namespace, String name, int replicas) {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId("ami-0abcdef1234567890");
    template.setInstanceType("t3.micro");
    template.setSubnetIds(SUBNETS);
    template.setTags(Map.of("team", "bench"));
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(replicas);
    spec.setTemplate(template);
    spec.setDeletionPolicy(DeletionPolicy.Delete);
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withUid(UUID.randomUUID().toString())
            .withGeneration(1L)
            .withResourceVersion("1")
            .build());
    fleet.setSpec(spec);
    return fleet;
  }

  private static long usedHeapAfterGc() {
    for (int n = 0; n < 3; n++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
