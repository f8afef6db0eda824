package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An operator that dies half-way through a scale-up must not leave a duplicate: its successor
 * trusts the launch intents in status and the launch tags in EC2, and ends at the desired count.
 */
class OperatorRestartIT extends OperatorTestBed {

  @Test
  void operatorStoppedWhileLaunchesAreInFlightEndsWithExactlyTheDesiredCount() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "restart", 1, network)), 1);

    kubectl.run("scale", "sf/restart", "-n", ns, "--replicas=9");
    await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !get(ns, "restart").getStatus().getLaunchIntents().isEmpty());
    stopOperator();
    startOperator();

    ServerFleet done = awaitReady(fleet, 9);
    assertThat(liveInstances(done)).hasSize(9);
    FleetLifecycleIT.assertBalanced(liveInstances(done), network.subnetIds());
  }

  @Test
  void intentsLeftByACrashAreFulfilledOrRetriedNeverDuplicated() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "crash", 0, network)), 0);
    String revision = fleet.getStatus().getCurrentRevision();
    String uid = fleet.getMetadata().getUid();
    stopOperator();

    // The predecessor recorded two intents, then died: after RunInstances for the first (its
    // instances exist, tagged with the token) and before the call for the second.
    String now = Instant.now().toString();
    String launched = "sf-crash-launched";
    String notLaunched = "sf-crash-not-launched";
    ec2.runInstances(
        new LaunchRequest(
            launched,
            network.subnetIds().get(0),
            2,
            AMI,
            "t3.micro",
            List.of(network.securityGroupId()),
            null,
            null,
            null,
            false,
            true,
            2,
            Map.of(
                OwnershipTags.CLUSTER,
                cluster,
                OwnershipTags.FLEET,
                ns + "/crash",
                OwnershipTags.FLEET_UID,
                uid,
                OwnershipTags.REVISION,
                revision,
                OwnershipTags.LAUNCH,
                launched)));
    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("crash")
        .editStatus(
            f -> {
              f.getStatus()
                  .setLaunchIntents(
                      List.of(
                          new LaunchIntent(
                              launched, network.subnetIds().get(0), 2, revision, now, null),
                          new LaunchIntent(
                              notLaunched, network.subnetIds().get(1), 1, revision, now, null)));
              return f;
            });
    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("crash")
        .edit(
            f -> {
              f.getSpec().setReplicas(4);
              return f;
            });

    startOperator();

    ServerFleet done = awaitReady(fleet, 4);
    var live = liveInstances(done);
    assertThat(live).hasSize(4);
    assertThat(live).filteredOn(i -> launched.equals(i.tag(OwnershipTags.LAUNCH))).hasSize(2);
    assertThat(live).filteredOn(i -> notLaunched.equals(i.tag(OwnershipTags.LAUNCH))).hasSize(1);
    FleetLifecycleIT.assertBalanced(live, network.subnetIds());
  }
}
