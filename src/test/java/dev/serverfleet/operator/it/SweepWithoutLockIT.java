package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a slow DescribeInstances sweep must not stall reconciles. With every DescribeInstances
 * delayed by the proxy far beyond the poll interval, 50 fleets created while one sweep is in flight
 * all write their launch intents, make their RunInstances calls and record what they launched in
 * status before that sweep ends. (Under JOSDK's PollingEventSource, reconciles blocked on its
 * monitor while the fetch held it, so none of them could record a launch until the sweep ended.)
 */
class SweepWithoutLockIT extends ProxiedOperatorTestBed {
  private static final int FLEETS = 50;
  private static final Duration DESCRIBE_DELAY = Duration.ofSeconds(40);

  @Test
  void fiftyFleetsLaunchAndRecordWhileOneSlowSweepIsInFlight() {
    MotoServer.Network network = moto.createNetwork(1);
    String ns = newNamespace();
    awaitReady(
        create(fleet(ns, "first", 0, network)), 0); // a sweep has completed: the operator acts

    proxy.delay("DescribeInstances", DESCRIBE_DELAY);
    // A describe already on its way when the delay was set is not delayed: wait until those are
    // answered and a delayed one is in flight, so that no answer can arrive in the window below.
    int undelayed = proxy.arrived("DescribeInstances");
    await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                proxy.count("DescribeInstances") >= undelayed
                    && proxy.arrived("DescribeInstances") > undelayed);
    long sweepsDone = proxy.count("DescribeInstances");
    Instant created = Instant.now();
    List<String> names = new ArrayList<>();
    for (int n = 0; n < FLEETS; n++) {
      names.add("f" + n);
      create(fleet(ns, "f" + n, 1, network));
    }

    await()
        .atMost(DESCRIBE_DELAY)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                names.stream()
                    .allMatch(
                        name -> {
                          ServerFleet f = get(ns, name);
                          return f.getStatus() != null
                              && Integer.valueOf(1).equals(f.getStatus().getReplicas());
                        }));
    Instant recorded = Instant.now();

    assertThat(proxy.count("DescribeInstances"))
        .as(
            "no sweep completed meanwhile: every fleet acted while one"
                + " DescribeInstances was in flight")
        .isEqualTo(sweepsDone);
    List<Ec2Call> runs =
        proxy.calls().stream()
            .filter(c -> c.action().equals("RunInstances") && c.start().isAfter(created))
            .toList();
    assertThat(runs).hasSize(FLEETS);
    Instant lastRun = runs.stream().map(Ec2Call::end).max(Instant::compareTo).orElseThrow();
    System.out.printf(
        "%d fleets: all RunInstances done %d ms and all statuses recorded %d ms after the first"
            + " create, while one DescribeInstances (delayed %d s) was in flight%n",
        FLEETS,
        Duration.between(created, lastRun).toMillis(),
        Duration.between(created, recorded).toMillis(),
        DESCRIBE_DELAY.toSeconds());

    proxy.delay("DescribeInstances", Duration.ZERO);
    names.forEach(name -> awaitReady(get(ns, name), 1));
  }
}
