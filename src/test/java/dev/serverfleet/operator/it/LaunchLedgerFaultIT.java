package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The launch ledger against faults on the wire between the operator and EC2 (issue 7, failures 1–3
 * and 5): lost answers, throttled and failed retries, instances EC2 shows late, intents that were
 * never sent, deletion while a launch's outcome is unknown. Each test counts in moto every instance
 * ever launched (moto ignores client tokens, so a duplicate launch would show there) and how many
 * RunInstances per token reached moto.
 */
class LaunchLedgerFaultIT extends ProxiedOperatorTestBed {

  @AfterEach
  void clearFaults() {
    proxy.clearFaults();
  }

  @Test
  void aLostAnswerFollowedByAThrottledRetryLaunchesOnce() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "lost", 0, network)), 0);
    // Every subnet's first RunInstances reaches moto and its answer is lost; the retry of the
    // same token is throttled: neither says anything about whether the first attempt launched.
    // EC2 shows the instances only after the retries are due (with a 30 s poll, as by default,
    // a sweep comes that late anyway).
    proxy.hideNewInstances(Duration.ofSeconds(12));
    proxy.dropAnswer("RunInstances", 3);
    proxy.throttle("RunInstances", 3);

    kubectl.run("scale", "sf/lost", "-n", ns, "--replicas=12");
    ServerFleet done = awaitReady(fleet, 12);

    String uid = done.getMetadata().getUid();
    assertThat(everLaunched(uid)).as("instances ever launched for a fleet of 12").hasSize(12);
    assertThat(forwardedRunsByToken(uid))
        .as("RunInstances that reached moto, by token")
        .hasSize(3)
        .allSatisfy((token, n) -> assertThat(n).isEqualTo(1));
    assertThat(runsOf(uid))
        .extracting(Ec2Call::outcome)
        .as("every attempt, in order")
        .containsExactlyInAnyOrder(
            Ec2Call.Outcome.DROPPED,
            Ec2Call.Outcome.DROPPED,
            Ec2Call.Outcome.DROPPED,
            Ec2Call.Outcome.THROTTLED,
            Ec2Call.Outcome.THROTTLED,
            Ec2Call.Outcome.THROTTLED,
            Ec2Call.Outcome.REPLAYED,
            Ec2Call.Outcome.REPLAYED,
            Ec2Call.Outcome.REPLAYED);
  }

  @Test
  void instancesEc2ShowsLateAreCountedAndNeverLaunchedAgain() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "late", 0, network)), 0);
    // Longer than the intents' retry time (4 s here): the answer's ids must carry the count.
    proxy.hideNewInstances(Duration.ofSeconds(15));

    kubectl.run("scale", "sf/late", "-n", ns, "--replicas=10");
    ServerFleet done = awaitReady(fleet, 10);

    String uid = done.getMetadata().getUid();
    assertThat(everLaunched(uid)).hasSize(10);
    assertThat(forwardedRunsByToken(uid).values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
  }

  @Test
  void aRunInstancesAnsweredWithA5xxAfterItLaunchedIsRetriedWithItsOwnToken() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "fivexx", 0, network)), 0);
    proxy.internalError("RunInstances", 2, true);

    kubectl.run("scale", "sf/fivexx", "-n", ns, "--replicas=6");
    ServerFleet done = awaitReady(fleet, 6);

    String uid = done.getMetadata().getUid();
    assertThat(everLaunched(uid)).hasSize(6);
    assertThat(forwardedRunsByToken(uid).values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
    assertThat(runsOf(uid))
        .filteredOn(c -> c.outcome() == Ec2Call.Outcome.INTERNAL_ERROR)
        .hasSize(2);
  }

  @Test
  void intentsThatWereNeverSentHoldNeitherARolloutNorAScaleToZero() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet rolled = awaitReady(create(fleet(ns, "rollout", 2, network)), 2);
    ServerFleet emptied = awaitReady(create(fleet(ns, "empty", 2, network)), 2);
    stopOperator();
    // The predecessor wrote these and died before RunInstances left the process.
    String now = Instant.now().toString();
    writtenAndNeverSent(ns, "rollout", rolled.getStatus().getCurrentRevision(), network, now);
    writtenAndNeverSent(ns, "empty", emptied.getStatus().getCurrentRevision(), network, now);
    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("rollout")
        .edit(
            f -> {
              f.getSpec().getTemplate().setAmiId(AMI_V2);
              return f;
            });
    kubectl.run("scale", "sf/empty", "-n", ns, "--replicas=0");
    Instant restarted = Instant.now();
    startOperator();

    // Settled by a lookup within seconds, not left to expire (2 minutes in this test bed).
    ServerFleet afterRollout = awaitReady(rolled, 2, Duration.ofSeconds(60));
    ServerFleet afterScale = awaitReady(emptied, 0, Duration.ofSeconds(60));
    System.out.printf(
        "never-sent intents settled: rollout and scale-to-0 Ready %d s after restart%n",
        Duration.between(restarted, Instant.now()).toSeconds());
    assertThat(liveInstances(afterRollout))
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(AMI_V2));
    assertThat(liveInstances(afterScale)).isEmpty();
    assertThat(proxy.calls()).filteredOn(c -> "sf-never-sent".equals(c.clientToken())).isEmpty();
  }

  @Test
  void aLaunchThatSurfacesAfterItsFleetWasDeletedIsCollectedAsAnOrphan() {
    MotoServer.Network network = moto.createNetwork(1);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "ghost", 0, network)), 0);
    String uid = fleet.getMetadata().getUid();
    proxy.hideNewInstances(Duration.ofSeconds(20));
    proxy.dropAnswer("RunInstances", 1);
    kubectl.run("scale", "sf/ghost", "-n", ns, "--replicas=2");
    await()
        .atMost(30, TimeUnit.SECONDS)
        .until(
            () ->
                proxy.calls().stream()
                    .anyMatch(
                        c ->
                            c.action().equals("RunInstances")
                                && c.outcome() == Ec2Call.Outcome.DROPPED));

    kubectl.run("delete", "sf/ghost", "-n", ns, "--wait=true", "--timeout=60s");

    assertThat(get(ns, "ghost")).isNull();
    // The launch shows up once EC2 shows it, its fleet gone: terminated after the grace period.
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(everLaunched(uid))
                    .hasSize(2)
                    .allSatisfy(i -> assertThat(i.state().isLive()).isFalse()));
    assertThat(registry.find("serverfleet.orphans.terminated").counter().count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void orphansAreTerminatedAndReleasedOrForeignInstancesAreNot() {
    MotoServer.Network network = moto.createNetwork(1);
    String ghostUid = UUID.randomUUID().toString();
    Instance orphan =
        launchDirect(
            network,
            Map.of(
                OwnershipTags.CLUSTER,
                cluster,
                OwnershipTags.FLEET,
                "nowhere/ghost",
                OwnershipTags.FLEET_UID,
                ghostUid,
                OwnershipTags.LAUNCH,
                "sf-orphan"));
    Instance released = launchDirect(network, Map.of("team", "shop"));
    Instance otherCluster =
        launchDirect(
            network,
            Map.of(
                OwnershipTags.CLUSTER,
                cluster + "-other",
                OwnershipTags.FLEET,
                "nowhere/ghost",
                OwnershipTags.FLEET_UID,
                ghostUid));

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !state(orphan).isLive());
    assertThat(state(released).isLive()).isTrue();
    assertThat(state(otherCluster).isLive()).isTrue();
  }

  private static void writtenAndNeverSent(
      String ns, String name, String revision, MotoServer.Network network, String at) {
    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName(name)
        .editStatus(
            f -> {
              f.getStatus()
                  .setLaunchIntents(
                      List.of(
                          new LaunchIntent(
                              "sf-never-sent",
                              network.subnetIds().get(0),
                              1,
                              revision,
                              at,
                              null,
                              "Written",
                              0,
                              at)));
              return f;
            });
  }

  private static ServerFleet awaitReady(ServerFleet fleet, int n, Duration within) {
    String ns = fleet.getMetadata().getNamespace();
    String name = fleet.getMetadata().getName();
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ServerFleet f = get(ns, name);
              return f.getStatus() != null
                  && f.getStatus().getLaunchIntents().isEmpty()
                  && Integer.valueOf(n).equals(f.getStatus().getReadyReplicas())
                  && Integer.valueOf(n).equals(f.getStatus().getUpdatedReplicas())
                  && f.getStatus().getConditions().stream()
                      .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                  && liveInstances(f.getMetadata().getUid()).size() == n;
            });
    return get(ns, name);
  }

  private static Instance launchDirect(MotoServer.Network network, Map<String, String> tags) {
    return ec2.runInstances(
            new LaunchRequest(
                "direct-" + UUID.randomUUID(),
                network.subnetIds().get(0),
                1,
                AMI,
                "t3.micro",
                List.of(network.securityGroupId()),
                null,
                null,
                null,
                false,
                true,
                2,
                tags))
        .get(0);
  }

  /** The instance's state in moto, asked by id (it may carry no tag to find it by). */
  private static InstanceState state(Instance instance) {
    return InstanceState.fromEc2(
        moto.ec2Client()
            .describeInstances(r -> r.instanceIds(instance.id()))
            .reservations()
            .get(0)
            .instances()
            .get(0)
            .state()
            .nameAsString());
  }
}
