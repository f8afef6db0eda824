package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mass sync within EC2's request limits: the fault proxy meters every call as an AWS account does
 * (RunInstances: 5 at once, 2 per second; describes: 100, 20 per second; ...), and the operator,
 * with its client-side buckets on as the jar has them by default, applies 16 fleets of 3 at once
 * without running into RequestLimitExceeded.
 */
class RateLimitIT extends ProxiedOperatorTestBed {
  private static final Logger log = LoggerFactory.getLogger(RateLimitIT.class);
  private static final int FLEETS = 16;
  private static final int RUNS = FLEETS * 3; // one RunInstances per fleet and subnet

  @BeforeAll
  static void meteredOperator() {
    stopOperator();
    proxy.meterLikeAnAccount();
    startOperator(Duration.ofSeconds(5), true);
  }

  @Test
  void aMassSyncStaysWithinTheAccountsBucketsAndEveryFleetGetsReady() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    proxy.clearCalls();
    Instant start = Instant.now();
    List<ServerFleet> fleets = new ArrayList<>();
    for (int n = 0; n < FLEETS; n++) {
      fleets.add(create(fleet(ns, "sync-" + n, 3, network)));
    }
    for (ServerFleet f : fleets) {
      awaitReady(f, 3);
    }
    Duration took = Duration.between(start, Instant.now());

    Map<String, Map<Ec2Call.Outcome, Long>> byAction =
        proxy.calls().stream()
            .collect(
                Collectors.groupingBy(
                    Ec2Call::action,
                    TreeMap::new,
                    Collectors.groupingBy(Ec2Call::outcome, TreeMap::new, Collectors.counting())));
    log.info(
        "{} fleets x 3 ready in {} s; calls by action and outcome: {}; client waits: {}",
        FLEETS,
        took.toSeconds(),
        byAction,
        registry.find("serverfleet.ec2.rate.wait").timers().stream()
            .map(
                t ->
                    t.getId().getTag("class")
                        + "="
                        + t.count()
                        + " calls/"
                        + t.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)
                        + " ms")
            .toList());
    // The client's buckets keep headroom below the account's; the calls still arrive with the
    // jitter of a busy 2-core machine, so the count is printed above and bounded loosely here: a
    // client without buckets has most of its RunInstances refused at once.
    long throttled =
        proxy.calls().stream().filter(c -> c.outcome() == Ec2Call.Outcome.THROTTLED).count();
    assertThat(throttled)
        .as("calls refused for the account's limits, of %d", proxy.calls().size())
        .isLessThanOrEqualTo(3);
    long runs = proxy.count("RunInstances");
    assertThat(runs).as("one RunInstances per fleet and subnet").isEqualTo(RUNS);
    assertThat(took)
        .as("%d RunInstances cannot go faster than 5 at once and 2 per second", RUNS)
        .isGreaterThanOrEqualTo(Duration.ofSeconds((RUNS - 5) / 2));
    log.info(
        "the floor for {} RunInstances is {} s; this run took {} s ({}x)",
        RUNS,
        (RUNS - 5) / 2.0,
        took.toMillis() / 1000.0,
        String.format("%.2f", took.toMillis() / 1000.0 / ((RUNS - 5) / 2.0)));
    for (ServerFleet f : fleets) {
      String uid = get(ns, f.getMetadata().getName()).getMetadata().getUid();
      assertThat(forwardedRunsByToken(uid).values()).allMatch(count -> count == 1);
      assertThat(everLaunched(uid)).hasSize(3);
    }
  }
}
