package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.InterruptionBus;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The interruption queue on the real stack: the real API server, the operator in process as the jar
 * wires it with {@code --interruption-queue}, EC2 through the fault proxy to moto, and moto's SQS
 * fed by moto's EventBridge through the four rules of deploy/aws/interruption-queue.cfn.yaml
 * (events sent with PutEvents, shaped as AWS's documented examples). The sweep runs every 10
 * minutes, so whatever the fleet does within a test came from the queue (and the fast lane, which
 * follows only instances in flux).
 */
class InterruptionQueueIT extends ProxiedOperatorTestBed {
  private static final Duration POLL = Duration.ofMinutes(10);
  private static InterruptionBus bus;

  @BeforeAll
  static void startWithQueue() {
    bus = InterruptionBus.create(moto.endpoint(), "sf-" + cluster);
    stopOperator();
    startOperator(POLL, false, false, c -> c.withInterruptionQueue(bus.queueUrl()));
  }

  @AfterAll
  static void closeBus() {
    bus.close();
  }

  private static double messages(String type, String outcome) {
    Counter c =
        registry
            .find("serverfleet.interruption.messages")
            .tag("type", type)
            .tag("outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  private static long sweeps() {
    Timer t = registry.find("serverfleet.sweep").tag("outcome", "success").timer();
    return t == null ? 0 : t.count();
  }

  private static ServerFleet sixReady(String ns, MotoServer.Network network) {
    return awaitReady(create(fleet(ns, "web", 6, network)), 6);
  }

  @Test
  void aWarningForThreeOfSixRunsThreeReplacementsBeforeTheThreeAreTerminated() {
    MotoServer.Network network = moto.createNetwork(3);
    ServerFleet fleet = sixReady(newNamespace(), network);
    String uid = fleet.getMetadata().getUid();
    List<String> doomed = liveInstances(uid).stream().map(Instance::id).sorted().limit(3).toList();
    Set<String> original =
        liveInstances(uid).stream().map(Instance::id).collect(Collectors.toSet());
    int callsBefore = proxy.calls().size();

    Instant sent = Instant.now();
    doomed.forEach(bus::spotWarning);

    // The three replacements running, as the fleet's status reports them.
    await()
        .atMost(120, TimeUnit.SECONDS)
        .until(
            () ->
                get(fleet.getMetadata().getNamespace(), "web").getStatus().getInstances().stream()
                        .filter(i -> !original.contains(i.id()) && "running".equals(i.state()))
                        .count()
                    >= 3);
    Duration toRunning = Duration.between(sent, Instant.now());
    await()
        .atMost(120, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              assertThat(liveInstances(uid))
                  .hasSize(6)
                  .extracting(Instance::id)
                  .doesNotContainAnyElementsOf(doomed);
              assertThat(
                      ec2.describeOwned(cluster).stream()
                          .filter(i -> doomed.contains(i.id()))
                          .map(Instance::state))
                  .containsOnly(InstanceState.TERMINATED);
            });
    ServerFleet done = awaitReady(fleet, 6);

    List<Ec2Call> after = proxy.calls().subList(callsBefore, proxy.calls().size());
    List<Ec2Call> runs = after.stream().filter(c -> c.action().equals("RunInstances")).toList();
    List<Ec2Call> terminations =
        after.stream()
            .filter(
                c ->
                    c.action().equals("TerminateInstances")
                        && c.instanceIds().stream().anyMatch(doomed::contains))
            .toList();
    assertThat(runs.stream().mapToInt(Ec2Call::minCount).sum()).as("replacements").isEqualTo(3);
    assertThat(terminations).isNotEmpty();
    assertThat(terminations.stream().flatMap(c -> c.instanceIds().stream()))
        .containsExactlyInAnyOrderElementsOf(doomed);
    Instant lastRun = runs.stream().map(Ec2Call::end).max(Instant::compareTo).orElseThrow();
    Instant firstTerminate =
        terminations.stream().map(Ec2Call::start).min(Instant::compareTo).orElseThrow();
    assertThat(firstTerminate).as("every replacement launched first").isAfter(lastRun);
    // Between them the operator saw the replacements running: a describe that showed them.
    assertThat(
            after.stream()
                .filter(
                    c ->
                        c.action().equals("DescribeInstances")
                            && c.start().isAfter(lastRun)
                            && c.end().isBefore(firstTerminate)))
        .as("a describe between the last launch and the termination")
        .isNotEmpty();
    assertThat(done.getStatus().getInstances())
        .extracting(InstanceStatus::interruption)
        .containsOnlyNulls();
    assertThat(messages("spot-interruption", "accepted")).isGreaterThanOrEqualTo(3);
    await()
        .atMost(30, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              var reasons =
                  client
                      .v1()
                      .events()
                      .inNamespace(fleet.getMetadata().getNamespace())
                      .list()
                      .getItems()
                      .stream()
                      .map(e -> e.getReason() + ": " + e.getMessage())
                      .toList();
              assertThat(reasons)
                  .anySatisfy(r -> assertThat(r).startsWith("InterruptionWarning: AWS will take"));
              assertThat(reasons)
                  .anySatisfy(
                      r ->
                          assertThat(r)
                              .startsWith("Terminated: ")
                              .contains("AWS interruption notice"));
            });
    await().atMost(60, TimeUnit.SECONDS).until(() -> bus.depth() == 0);
    System.out.printf(
        "InterruptionQueueIT: seconds from interruption message to replacement running: %.1f"
            + " (3 spot warnings for a 6-instance fleet, moto + fault proxy, 10 min sweep)%n",
        toRunning.toMillis() / 1000.0);
  }

  @Test
  void aRebalanceRecommendationWithoutCapacityRebalanceChangesNothing() {
    MotoServer.Network network = moto.createNetwork(3);
    ServerFleet fleet = sixReady(newNamespace(), network);
    String uid = fleet.getMetadata().getUid();
    String target = liveInstances(uid).get(0).id();
    double ignoredBefore = messages("rebalance-recommendation", "ignored");
    int callsBefore = proxy.calls().size();

    bus.rebalanceRecommendation(target);

    await()
        .atMost(60, TimeUnit.SECONDS)
        .until(() -> messages("rebalance-recommendation", "ignored") > ignoredBefore);
    await().atMost(60, TimeUnit.SECONDS).until(() -> bus.depth() == 0);
    assertThat(
            proxy.calls().subList(callsBefore, proxy.calls().size()).stream()
                .map(Ec2Call::action)
                .filter(a -> a.equals("RunInstances") || a.equals("TerminateInstances")))
        .isEmpty();
    assertThat(get(fleet.getMetadata().getNamespace(), "web").getStatus().getInstances())
        .extracting(InstanceStatus::interruption)
        .containsOnlyNulls();
    assertThat(liveInstances(uid)).extracting(Instance::id).contains(target).hasSize(6);
  }

  @Test
  void aStateChangeWakesTheFleetLongBeforeTheSweep() {
    MotoServer.Network network = moto.createNetwork(3);
    ServerFleet fleet = awaitReady(create(fleet(newNamespace(), "web", 3, network)), 3);
    String uid = fleet.getMetadata().getUid();
    String victim = liveInstances(uid).get(0).id();
    long sweepsBefore = sweeps();

    ec2.terminate(List.of(victim)); // someone terminates it, straight on moto
    Instant sent = Instant.now();
    bus.stateChange(victim, "shutting-down");

    await()
        .atMost(120, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(liveInstances(uid))
                    .hasSize(3)
                    .extracting(Instance::id)
                    .doesNotContain(victim));
    Duration took = Duration.between(sent, Instant.now());
    assertThat(sweeps()).as("no sweep of EC2 ran meanwhile (every 10 min)").isEqualTo(sweepsBefore);
    assertThat(messages("state-change", "accepted")).isGreaterThanOrEqualTo(1);
    System.out.printf(
        "InterruptionQueueIT: seconds from state-change message to replacement launched: %.1f"
            + " (sweep period %d s)%n",
        took.toMillis() / 1000.0, POLL.toSeconds());
  }

  @Test
  void malformedAndForeignMessagesAreDeletedAndCounted() {
    double malformed = messages("malformed", "malformed");
    double foreign = messages("spot-interruption", "foreign");

    bus.sendRaw("this is not an EventBridge event");
    bus.spotWarning("i-0123456789abcdef0"); // no fleet has it

    await()
        .atMost(60, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              assertThat(messages("malformed", "malformed")).isEqualTo(malformed + 1);
              assertThat(messages("spot-interruption", "foreign")).isEqualTo(foreign + 1);
            });
    await().atMost(60, TimeUnit.SECONDS).until(() -> bus.depth() == 0);
  }
}
