package dev.serverfleet.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two operator processes (the built jar) with leader election against one API server: one acts, the
 * other waits with warm caches; when the leader is killed the other takes over within the lease
 * time, and EC2 never sees a duplicate launch.
 */
class LeaderElectionE2E extends ControlPlaneTestBed {

  @Test
  void onlyTheLeaderActsAndTheStandbyTakesOverWhenItDies() throws Exception {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    String leaseNs = newNamespace();
    try (OperatorProcess a = OperatorProcess.start("leader-a", env("op-a", leaseNs));
        OperatorProcess b = OperatorProcess.start("leader-b", env("op-b", leaseNs))) {
      await()
          .atMost(90, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> a.status("/readyz") == 200 && b.status("/readyz") == 200);
      String first = awaitHolder(leaseNs, null);

      ServerFleet fleet = awaitReady(create(fleet(ns, "ha", 3, network)), 3);
      assertThat(everLaunched(fleet)).as("instances ever launched for the fleet").hasSize(3);
      OperatorProcess leader = first.startsWith("op-a") ? a : b;
      OperatorProcess standby = leader == a ? b : a;
      assertThat(standby.log()).doesNotContain("Launched ");

      Instant killed = Instant.now();
      leader.kill();
      kubectl.run("scale", "sf/ha", "-n", ns, "--replicas=5");
      String second = awaitHolder(leaseNs, first);
      Duration takeover = Duration.between(killed, Instant.now());
      ServerFleet scaled = awaitReady(fleet, 5);

      assertThat(second).startsWith(leader == a ? "op-b" : "op-a");
      assertThat(takeover).as("takeover after the leader died").isLessThan(Duration.ofSeconds(45));
      assertThat(everLaunched(scaled)).as("no duplicate launches across the failover").hasSize(5);
      assertThat(standby.log()).contains("Launched ");

      Instant term = Instant.now();
      standby.stop();
      assertThat(Duration.between(term, Instant.now()))
          .as("graceful shutdown on SIGTERM")
          .isLessThan(Duration.ofSeconds(30));
      assertThat(standby.log()).contains("shutting down");
    }
  }

  private Map<String, String> env(String host, String leaseNs) {
    return Map.of(
        "KUBECONFIG",
        kubectl.kubeconfig().toString(),
        "HOSTNAME",
        host,
        "SF_CLUSTER_NAME",
        cluster,
        "SF_EC2_ENDPOINT",
        moto.endpoint().toString(),
        "SF_POLL_INTERVAL",
        "1s",
        "SF_SDK_RETRIES",
        "false",
        "SF_LEADER_ELECTION",
        "true",
        "SF_LEADER_ELECTION_NAMESPACE",
        leaseNs);
  }

  /** Waits for the Lease to name a holder other than {@code previous}; returns it. */
  private static String awaitHolder(String leaseNs, String previous) {
    String[] holder = new String[1];
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              Lease lease =
                  client.leases().inNamespace(leaseNs).withName("serverfleet-operator").get();
              holder[0] =
                  lease == null || lease.getSpec() == null
                      ? null
                      : lease.getSpec().getHolderIdentity();
              return holder[0] != null && !holder[0].isEmpty() && !holder[0].equals(previous);
            });
    return holder[0];
  }

  private static List<Instance> everLaunched(ServerFleet fleet) {
    String uid =
        get(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName())
            .getMetadata()
            .getUid();
    return ec2.describeOwned(cluster).stream().filter(i -> i.ownedBy(cluster, uid)).toList();
  }
}
