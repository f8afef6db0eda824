package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Tag;

/** The finalizer: Delete terminates every instance, Retain releases them untouched. */
class FleetDeletionIT extends OperatorTestBed {

  @Test
  void deleteWithDeletePolicyTerminatesEveryInstanceThenReleasesTheResource() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = awaitReady(create(fleet(ns, "doomed", 3, network)), 3);
    List<String> ids = liveInstances(fleet).stream().map(Instance::id).toList();
    assertThat(fleet.getMetadata().getFinalizers()).isNotEmpty();

    client.resource(fleet).delete();

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> get(ns, "doomed") == null);
    assertThat(states(ids)).allMatch(s -> s.equals("terminated") || s.equals("shutting-down"));
  }

  @Test
  void deleteWithRetainPolicyLeavesInstancesRunningWithoutOwnershipTags() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "kept", 2, network);
    spec.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    ServerFleet fleet = awaitReady(create(spec), 2);
    List<String> ids = liveInstances(fleet).stream().map(Instance::id).toList();

    client.resource(fleet).delete();

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> get(ns, "kept") == null);
    assertThat(states(ids)).containsOnly("running");
    var raw = moto.ec2Client().describeInstances(r -> r.instanceIds(ids));
    raw.reservations()
        .forEach(
            res ->
                res.instances()
                    .forEach(
                        i -> {
                          List<String> keys = i.tags().stream().map(Tag::key).toList();
                          assertThat(keys)
                              .doesNotContainAnyElementsOf(OwnershipTags.OWNERSHIP_KEYS)
                              .contains("team", "Name");
                        }));
  }

  private static List<String> states(List<String> ids) {
    return moto.ec2Client().describeInstances(r -> r.instanceIds(ids)).reservations().stream()
        .flatMap(r -> r.instances().stream())
        .map(i -> i.state().nameAsString())
        .toList();
  }
}
