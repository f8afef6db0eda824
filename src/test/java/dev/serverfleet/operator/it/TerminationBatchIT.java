package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fleets that terminate at the same time share TerminateInstances calls (cloud/TerminationBatcher):
 * while one fleet's call is in flight (held at the proxy, as a call waiting for a rate-limit token
 * would be), the others scale to zero or are deleted, and their terminations go together in the
 * next call. The proxy meters calls as an AWS account does, and the operator keeps EC2's limits on
 * its side, as the jar does.
 */
class TerminationBatchIT extends ProxiedOperatorTestBed {
  private static final Logger log = LoggerFactory.getLogger(TerminationBatchIT.class);
  private static final String TERMINATE = "TerminateInstances";
  private static final int FLEETS = 5;
  private static final int REPLICAS = 2;

  @BeforeAll
  static void meteredOperator() {
    stopOperator();
    proxy.meterLikeAnAccount();
    startOperator(Duration.ofSeconds(2), true);
  }

  @Test
  void fleetsScaledToZeroOrDeletedWhileATerminationIsInFlightGoTogetherInTheNextCall() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    List<ServerFleet> fleets = new ArrayList<>();
    for (int n = 0; n < FLEETS; n++) {
      fleets.add(create(fleet(ns, "batch-" + n, REPLICAS, network)));
    }
    Map<String, Set<String>> idsByFleet = new java.util.LinkedHashMap<>();
    for (ServerFleet f : fleets) {
      ServerFleet ready = awaitReady(f, REPLICAS);
      idsByFleet.put(
          ready.getMetadata().getUid(),
          liveInstances(ready).stream().map(Instance::id).collect(Collectors.toSet()));
    }
    List<String> uids = List.copyOf(idsByFleet.keySet());
    proxy.clearCalls();
    double waitedBefore = waited();

    proxy.hold(TERMINATE);
    scaleToZero(fleets.get(0));
    await().atMost(60, TimeUnit.SECONDS).until(() -> proxy.inFlight(TERMINATE) == 1);
    // while fleet 0's call is held: two fleets scale to zero, two are deleted
    scaleToZero(fleets.get(1));
    scaleToZero(fleets.get(2));
    client.resource(fleets.get(3)).delete();
    client.resource(fleets.get(4)).delete();
    await()
        .atMost(25, TimeUnit.SECONDS) // the held call must end before the SDK's 30 s read timeout
        .until(() -> waited() - waitedBefore == FLEETS - 1);
    proxy.release(TERMINATE);

    for (int n = 0; n < 3; n++) {
      awaitReady(fleets.get(n), 0);
    }
    for (int n = 3; n < FLEETS; n++) {
      String name = fleets.get(n).getMetadata().getName();
      await()
          .atMost(60, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> get(ns, name) == null);
    }

    List<Ec2Call> terminations =
        proxy.calls().stream().filter(c -> c.action().equals(TERMINATE)).toList();
    log.info(
        "{} fleets terminated {} instances in {} TerminateInstances: {}",
        FLEETS,
        FLEETS * REPLICAS,
        terminations.size(),
        terminations.stream().map(c -> c.instanceIds().size() + " ids/" + c.outcome()).toList());
    assertThat(terminations).hasSizeLessThan(FLEETS).hasSize(2);
    assertThat(terminations.get(0).instanceIds())
        .containsExactlyInAnyOrderElementsOf(idsByFleet.get(uids.get(0)));
    Set<String> others = new HashSet<>();
    uids.subList(1, FLEETS).forEach(uid -> others.addAll(idsByFleet.get(uid)));
    assertThat(terminations.get(1).instanceIds()).containsExactlyInAnyOrderElementsOf(others);
    assertThat(proxy.calls())
        .as("no call refused for the account's limits")
        .noneMatch(c -> c.outcome() == Ec2Call.Outcome.THROTTLED);
    assertThat(terminations).allMatch(c -> c.outcome() == Ec2Call.Outcome.FORWARDED);
    for (String uid : uids) {
      assertThat(liveInstances(uid)).as("fleet %s keeps no live instance", uid).isEmpty();
    }
    assertThat(registry.get("serverfleet.ec2.terminate.batch.callers").summary().max())
        .isEqualTo(FLEETS - 1);
  }

  private static void scaleToZero(ServerFleet fleet) {
    client
        .resources(ServerFleet.class)
        .inNamespace(fleet.getMetadata().getNamespace())
        .withName(fleet.getMetadata().getName())
        .edit(
            f -> {
              f.getSpec().setReplicas(0);
              return f;
            });
  }

  private static double waited() {
    return registry.get("serverfleet.ec2.terminate.batch.waited").counter().count();
  }
}
