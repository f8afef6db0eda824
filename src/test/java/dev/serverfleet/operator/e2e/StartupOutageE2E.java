package dev.serverfleet.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Ec2FaultProxy;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorProcess;
import dev.serverfleet.operator.testing.TcpForwarder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built jar as a process, started while a dependency is unreachable and losing one while it
 * runs (issue 7): it must never become a zombie. Its probes answer from the start ({@code /healthz}
 * 200, {@code /readyz} 503 until it can work), it recovers by itself without a restart, and EC2
 * ends with exactly the desired instances, none launched twice and none lost.
 */
class StartupOutageE2E extends ControlPlaneTestBed {
  private static final Logger log = LoggerFactory.getLogger(StartupOutageE2E.class);
  private static final String SWEEP_FAILED = "sweep of EC2 failed";
  private static final String START_RETRY = "could not start the operator, retrying";
  private static final Duration POLL = Duration.ofMillis(200);

  @Test
  void ec2UnreachableAtStartThenLostWhileRunning() throws Exception {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    try (Ec2FaultProxy proxy = Ec2FaultProxy.start(moto.endpoint())) {
      proxy.unreachable(true);
      try (OperatorProcess operator =
          OperatorProcess.start("ec2-outage", env(kubectl.kubeconfig(), proxy.endpoint(), ns))) {
        // Up and alive, not ready, and working against the API server: EC2 does not block the
        // start.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(POLL)
            .until(() -> operator.status("/healthz") == 200);
        assertThat(operator.status("/readyz")).isEqualTo(503);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(POLL)
            .until(() -> operator.log().contains("operator started"));
        ServerFleet fleet = create(fleet(ns, "outage", 3, network));
        int failedBefore = count(operator.log(), SWEEP_FAILED);
        holdsUntil(
            () ->
                operator.status("/readyz") == 503
                    && operator.status("/healthz") == 200
                    && operator.alive(),
            () -> count(operator.log(), SWEEP_FAILED) >= failedBefore + 3,
            Duration.ofSeconds(3));
        // Terminated instances stay in moto: none now means none was ever launched.
        assertThat(everLaunched(fleet))
            .as("nothing launched before a sweep of EC2 succeeded")
            .isEmpty();
        assertThat(get(ns, "outage").getStatus())
            .as("no status recorded from an unseen EC2")
            .isNull();

        Instant back = Instant.now();
        proxy.unreachable(false);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> operator.status("/readyz") == 200);
        Duration readyAfter = Duration.between(back, Instant.now());
        awaitReady(fleet, 3);
        Duration fleetReadyAfter = Duration.between(back, Instant.now());
        assertThat(everLaunched(fleet))
            .as("instances ever launched for the fleet: no duplicates")
            .hasSize(3);
        assertThat(operator.alive()).isTrue();

        // EC2 lost while running: not ready, still alive, and a scale-up meanwhile harms nothing.
        Instant lost = Instant.now();
        proxy.unreachable(true);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> operator.status("/readyz") == 503);
        Duration notReadyAfter = Duration.between(lost, Instant.now());
        assertThat(operator.status("/healthz")).isEqualTo(200);
        var scaled = kubectl.run("scale", "sf/outage", "-n", ns, "--replicas=5");
        assertThat(scaled.exitCode()).as(scaled.output()).isZero();
        int failedSince = count(operator.log(), SWEEP_FAILED);
        // The scale-up is decided on the last snapshot: its launch intents are written, their calls
        // are refused (connection refused: nothing sent, so they are let go, not retried as
        // unknown).
        holdsUntil(
            () ->
                operator.status("/readyz") == 503
                    && operator.status("/healthz") == 200
                    && operator.alive(),
            () -> count(operator.log(), SWEEP_FAILED) >= failedSince + 3 && refusedLaunches(ns) > 0,
            Duration.ofSeconds(3));
        assertThat(everLaunched(fleet))
            .as("instances during the outage: none lost, none added")
            .hasSize(3)
            .allSatisfy(i -> assertThat(i.state().isLive()).isTrue());
        assertThat(get(ns, "outage").getStatus().getReadyReplicas())
            .as("status keeps the last snapshot")
            .isEqualTo(3);

        Instant backAgain = Instant.now();
        proxy.unreachable(false);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> operator.status("/readyz") == 200);
        Duration readyAgainAfter = Duration.between(backAgain, Instant.now());
        awaitReady(fleet, 5);
        Duration scaledAfter = Duration.between(backAgain, Instant.now());
        List<Instance> after = everLaunched(fleet);
        assertThat(after)
            .as("instances ever launched: the 3 kept, 2 added once")
            .hasSize(5)
            .allSatisfy(i -> assertThat(i.state().isLive()).isTrue());
        assertThat(get(ns, "outage").getStatus().getLaunchIntents()).isEmpty();
        assertThat(operator.alive()).as("the process never exited").isTrue();
        assertThat(operator.log()).doesNotContain(START_RETRY);
        log.info(
            "EC2 unreachable at start: /readyz 200 {} ms after EC2 came back, fleet Ready after {} ms; "
                + "EC2 lost while running: /readyz 503 after {} ms; back: /readyz 200 after {} ms, scaled to 5 after {} ms",
            readyAfter.toMillis(),
            fleetReadyAfter.toMillis(),
            notReadyAfter.toMillis(),
            readyAgainAfter.toMillis(),
            scaledAfter.toMillis());
      }
    }
  }

  @Test
  void apiServerUnreachableAtStart() throws Exception {
    Matcher server =
        Pattern.compile("server: https://127\\.0\\.0\\.1:(\\d+)").matcher(kubeconfigYaml);
    assertThat(server.find())
        .as("the test bed's kubeconfig names its API server on 127.0.0.1")
        .isTrue();
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet fleet = create(fleet(ns, "late", 2, network));
    try (TcpForwarder api =
        TcpForwarder.start(
            "127.0.0.1", Integer.parseInt(server.group(1)), TcpForwarder.Mode.REFUSE)) {
      // Same host, so the API server's certificate (SAN 127.0.0.1) still matches; TLS passes
      // through.
      Path kubeconfig = Files.createTempFile("kubeconfig-forwarded-", ".yaml");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, server.replaceFirst("server: https://127.0.0.1:" + api.port()));
      Instant started = Instant.now();
      try (OperatorProcess operator =
          OperatorProcess.start("api-outage", env(kubeconfig, moto.endpoint(), ns))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(POLL)
            .until(() -> operator.status("/healthz") == 200);
        assertThat(operator.status("/readyz")).isEqualTo(503);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(POLL)
            .until(() -> operator.log().contains(START_RETRY));
        Duration firstRetry = Duration.between(started, Instant.now());

        // Now accepting and closing at once: the TLS handshake fails instead of the connect.
        api.mode(TcpForwarder.Mode.RESET);
        holdsUntil(
            () ->
                operator.status("/readyz") == 503
                    && operator.status("/healthz") == 200
                    && operator.alive(),
            () -> api.accepted() >= 3,
            Duration.ofSeconds(3));
        assertThat(operator.log()).doesNotContain("operator started");

        Instant up = Instant.now();
        api.mode(TcpForwarder.Mode.FORWARD);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> operator.status("/readyz") == 200);
        Duration readyAfter = Duration.between(up, Instant.now());
        assertThat(operator.log()).contains("operator started");
        awaitReady(fleet, 2);
        Duration fleetReadyAfter = Duration.between(up, Instant.now());
        assertThat(everLaunched(fleet)).as("instances ever launched for the fleet").hasSize(2);
        assertThat(operator.alive()).as("the process never exited").isTrue();
        // Micrometer's word that a retried start's JOSDK gauges were dropped for the failed
        // attempt's.
        assertThat(operator.log())
            .doesNotContain("has been already registered")
            .doesNotContain("MeterFilter is being configured after a Meter");
        log.info(
            "API server unreachable at start: first retry line {} ms after the process started ({} retry "
                + "lines in all); /readyz 200 {} ms after the API server came back, fleet Ready after {} ms",
            firstRetry.toMillis(),
            count(operator.log(), START_RETRY),
            readyAfter.toMillis(),
            fleetReadyAfter.toMillis());
      }
    }
  }

  private Map<String, String> env(Path kubeconfig, URI ec2Endpoint, String ns) {
    return Map.of(
        "KUBECONFIG",
        kubeconfig.toString(),
        "SF_CLUSTER_NAME",
        cluster,
        "SF_EC2_ENDPOINT",
        ec2Endpoint.toString(),
        "SF_POLL_INTERVAL",
        "1s",
        "SF_WATCH_NAMESPACES",
        ns);
  }

  /**
   * Fails unless {@code invariant} holds at every look, four a second, until {@code done} and for
   * at least {@code min}; fails if {@code done} takes more than a minute.
   */
  private static void holdsUntil(BooleanSupplier invariant, BooleanSupplier done, Duration min)
      throws InterruptedException {
    Instant start = Instant.now();
    Instant giveUp = start.plus(Duration.ofMinutes(1));
    for (int looks = 0; ; looks++) {
      assertThat(invariant.getAsBoolean())
          .as("still holds at look %d, after %s", looks, Duration.between(start, Instant.now()))
          .isTrue();
      if (Duration.between(start, Instant.now()).compareTo(min) >= 0 && done.getAsBoolean()) {
        return;
      }
      assertThat(Instant.now()).as("done within a minute").isBefore(giveUp);
      Thread.sleep(250);
    }
  }

  /** Warning events of launches refused because EC2 could not be reached. */
  private static long refusedLaunches(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(
            e ->
                "LaunchFailed".equals(e.getReason())
                    && e.getMessage().contains("ConnectionRefused"))
        .count();
  }

  private static int count(String text, String line) {
    int n = 0;
    for (int at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + line.length())) {
      n++;
    }
    return n;
  }

  private static List<Instance> everLaunched(ServerFleet fleet) {
    String uid =
        get(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName())
            .getMetadata()
            .getUid();
    return ec2.describeOwned(cluster).stream().filter(i -> i.ownedBy(cluster, uid)).toList();
  }
}
