package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.GateStatus;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.Lifecycle;
import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.testing.DrainServer;
import dev.serverfleet.operator.testing.HookOperatorTestBed;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * SSM and webhook readiness gates on the real API server, moto's SSM and a gate service on
 * 127.0.0.1 (reached through the test bed's loopback redirect of {@code
 * https://drain.example.test}).
 */
class ReadinessGateIT extends HookOperatorTestBed {

  private static ServerFleet gated(String ns, String name, ReadinessGate gate) {
    ServerFleet f = fleet(ns, name, 1, moto.createNetwork(1));
    Lifecycle l = new Lifecycle();
    l.setReadinessGate(gate);
    f.getSpec().setLifecycle(l);
    return create(f);
  }

  private static InstanceStatus onlyInstance(String ns, String name) {
    return get(ns, name).getStatus().getInstances().get(0);
  }

  @Test
  void anSsmGateOnMotoMakesTheInstanceReadyWithOneCommand() {
    String ns = newNamespace();
    SsmCommandAction c = new SsmCommandAction();
    c.setDocumentName("AWS-RunShellScript");
    c.setParameters(Map.of("commands", List.of("curl -fs http://localhost:8080/healthz")));
    c.setTimeoutSeconds(60);
    ReadinessGate gate = new ReadinessGate();
    gate.setSsmCommand(c);
    ServerFleet fleet = awaitReady(gated(ns, "ssm-gate", gate), 1);

    String id = onlyInstance(ns, "ssm-gate").id();
    List<Command> commands = ssm.listCommands(r -> r.instanceId(id)).commands();
    assertThat(commands)
        .singleElement()
        .satisfies(
            cmd -> {
              assertThat(cmd.documentName()).isEqualTo("AWS-RunShellScript");
              assertThat(cmd.parameters())
                  .containsEntry("commands", List.of("curl -fs http://localhost:8080/healthz"));
              assertThat(cmd.comment()).contains("readiness gate");
            });
    GateStatus g = get(ns, "ssm-gate").getStatus().getGates().get(0);
    assertThat(g.instanceId()).isEqualTo(id);
    assertThat(g.phase()).isEqualTo("Passed");
    assertThat(g.attempts()).isEqualTo(1);
    assertThat(g.message()).contains("Success");
    assertThat(Instant.parse(onlyInstance(ns, "ssm-gate").readySince()))
        .as("ready from the gate on")
        .isAfterOrEqualTo(Instant.parse(g.passedAt()).truncatedTo(ChronoUnit.SECONDS));
    assertThat(fleet.getStatus().getReadyReplicas()).isEqualTo(1);
  }

  @Test
  void aWebhookGateAnswering503ThenOkMakesTheInstanceReadyOnlyAfterTheOk() {
    String ns = newNamespace();
    WebhookAction w = new WebhookAction();
    w.setUrl("https://" + HOST + "/ready-after-1");
    w.setTimeoutSeconds(5);
    ReadinessGate gate = new ReadinessGate();
    gate.setWebhook(w);
    gated(ns, "hook-gate", gate);

    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ServerFleet f = get(ns, "hook-gate");
              return f.getStatus() != null
                  && Integer.valueOf(1).equals(f.getStatus().getReadyReplicas());
            });
    ServerFleet ready = get(ns, "hook-gate");
    InstanceStatus instance = ready.getStatus().getInstances().get(0);
    List<DrainServer.Request> asked = drains.requestsFor(instance.id());
    assertThat(asked).hasSizeGreaterThanOrEqualTo(2);
    assertThat(asked.get(0).status()).isEqualTo(503);
    DrainServer.Request ok =
        asked.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
    assertThat(Duration.between(asked.get(0).received(), ok.received()))
        .as("asked again no sooner than the gate's bound")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    assertThat(Instant.parse(instance.readySince()))
        .as("not ready after the 503: ready from the 200 on")
        .isAfterOrEqualTo(ok.received().truncatedTo(ChronoUnit.SECONDS));
    assertThat(asked.get(0).body())
        .containsEntry("instanceId", instance.id())
        .containsEntry("fleet", "hook-gate")
        .containsEntry("namespace", ns)
        .containsEntry("zone", instance.zone())
        .containsEntry("privateIp", instance.privateIp())
        .doesNotContainKey("reason");
    GateStatus g = ready.getStatus().getGates().get(0);
    assertThat(g.phase()).isEqualTo("Passed");
    assertThat(g.message()).isEqualTo("HTTP 200");
  }
}
