package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 on the real API server and moto, through the fault proxy, which reports each new
 * instance pending for its first {@link #PENDING} (moto has no pending state). The sweep runs once
 * at start and then every {@link #SWEEP}, longer than the test: everything after the first sweep is
 * the fast lane's doing. A 5-instance fleet reaches readyReplicas=5 with no sweep since its
 * creation, each fast-lane describe naming only instances (no tag-filtered sweep); its deletion
 * sends one TerminateInstances and releases the finalizer. Timings are printed, not asserted.
 */
class FastLaneIT extends ProxiedOperatorTestBed {
  private static final Duration SWEEP = Duration.ofMinutes(10);
  private static final Duration PENDING = Duration.ofSeconds(3);
  private static final int REPLICAS = 5;

  @BeforeAll
  static void operatorWithALongSweepPeriod() {
    stopOperator();
    startOperator(SWEEP);
    await().atMost(60, TimeUnit.SECONDS).until(() -> operator.ready()); // the first sweep is done
  }

  @Test
  void aFleetIsReadySecondsAfterItsInstancesRunAndItsDeletionTerminatesThemOnce() {
    proxy.reportPending(PENDING);
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    proxy.clearCalls();
    Instant created = Instant.now();

    ServerFleet fleet = awaitReady(create(fleet(ns, "quick", REPLICAS, network)), REPLICAS);
    Instant ready = Instant.now();

    List<Ec2Call> applyCalls = proxy.calls();
    List<String> ids = liveInstances(fleet).stream().map(Instance::id).toList();
    Instant running =
        ids.stream().map(proxy::runningAt).max(Instant::compareTo).orElseThrow(); // of the last
    assertThat(sweeps(applyCalls)).as("no sweep since the fleet was created").isZero();
    assertThat(applyCalls)
        .as("the fast lane's describes name instances, at most one call per 1,000")
        .filteredOn(c -> c.action().equals("DescribeInstances"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.instanceIds()).isNotEmpty().hasSizeLessThanOrEqualTo(1000));
    System.out.printf(
        "apply → ready: %d ms (the last instance running at %d ms, status ready %d ms after it;"
            + " polled every 250 ms); EC2 calls %s%n",
        Duration.between(created, ready).toMillis(),
        Duration.between(created, running).toMillis(),
        Duration.between(running, ready).toMillis(),
        byAction(applyCalls));

    proxy.clearCalls();
    Instant deleted = Instant.now();
    client.resource(fleet).delete();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> get(ns, "quick") == null);
    Instant gone = Instant.now();
    await() // the fast lane has followed the terminations to the end: nothing more can come of them
        .atMost(60, TimeUnit.SECONDS)
        .until(() -> registry.get("serverfleet.fast.lane.instances").gauge().value() == 0);

    List<Ec2Call> deleteCalls = proxy.calls();
    assertThat(deleteCalls)
        .filteredOn(c -> c.action().equals("TerminateInstances"))
        .as("one TerminateInstances for the five, never repeated")
        .singleElement()
        .satisfies(c -> assertThat(c.instanceIds()).containsExactlyInAnyOrderElementsOf(ids));
    assertThat(everLaunched(fleet.getMetadata().getUid()))
        .allSatisfy(i -> assertThat(i.state().isGone()).isTrue())
        .hasSize(REPLICAS);
    System.out.printf(
        "delete → gone: %d ms (polled every 100 ms); EC2 calls until the fast lane settled %s%n",
        Duration.between(deleted, gone).toMillis(), byAction(deleteCalls));
  }

  /** Tag-filtered DescribeInstances calls: the sweep's (the fast lane names instance ids). */
  private static long sweeps(List<Ec2Call> calls) {
    return calls.stream()
        .filter(c -> c.action().equals("DescribeInstances") && c.instanceIds().isEmpty())
        .count();
  }

  private static Map<String, Long> byAction(List<Ec2Call> calls) {
    return calls.stream()
        .collect(Collectors.groupingBy(Ec2Call::action, TreeMap::new, Collectors.counting()));
  }
}
