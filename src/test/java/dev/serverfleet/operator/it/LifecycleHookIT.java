package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.DefaultResult;
import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.api.v1alpha1.HeaderFrom;
import dev.serverfleet.operator.api.v1alpha1.Lifecycle;
import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.SsmCommandAction;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.api.v1alpha1.StrategyType;
import dev.serverfleet.operator.api.v1alpha1.TagGate;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.controller.DrainStage;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.DrainServer;
import dev.serverfleet.operator.testing.HookOperatorTestBed;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * lifecycle.preTerminate on the real API server and moto: a drain service on 127.0.0.1 in this test
 * (the spec names {@code https://drain.example.test/...}; the in-process operator's test-only
 * loopback redirect sends those calls to it over http), EC2 through the fault proxy, which records
 * when each TerminateInstances was made, and SSM Run Command on moto.
 */
class LifecycleHookIT extends HookOperatorTestBed {
  private static Consumer<ServerFleet> webhook(String path, int timeout, DefaultResult result) {
    return f -> {
      WebhookAction w = new WebhookAction();
      w.setUrl("https://" + HOST + path);
      w.setTimeoutSeconds(timeout);
      PreTerminateHook hook = new PreTerminateHook();
      hook.setWebhook(w);
      hook.setDefaultResult(result);
      Lifecycle l = new Lifecycle();
      l.setPreTerminate(hook);
      f.getSpec().setLifecycle(l);
    };
  }

  private static ServerFleet newFleet(
      String ns, String name, int replicas, Consumer<ServerFleet> edit) {
    ServerFleet f = fleet(ns, name, replicas, moto.createNetwork(2));
    edit.accept(f);
    return awaitReady(create(f), replicas);
  }

  /** For each instance: its drain was answered before its TerminateInstances; prints figures. */
  private static void assertDrainedThenTerminated(String what, Set<String> ids) {
    List<Long> overheadMillis = new ArrayList<>();
    for (String id : ids) {
      List<DrainServer.Request> calls = drains.requestsFor(id);
      assertThat(calls).as("drain requests for %s", id).isNotEmpty();
      DrainServer.Request last = calls.get(calls.size() - 1);
      assertThat(last.answered()).as("%s drain answered", id).isNotNull();
      Instant terminated =
          terminatedAt(id).orElseThrow(() -> new AssertionError(id + " not terminated"));
      assertThat(terminated)
          .as("%s terminated after its drain answered", id)
          .isAfterOrEqualTo(last.answered());
      assertThat(calls.get(0).received()).isBefore(terminated);
      overheadMillis.add(Duration.between(last.answered(), terminated).toMillis());
    }
    System.out.printf(
        "FIGURES %s: drain answered -> TerminateInstances per instance (ms): %s; calls per hook: %s%n",
        what, overheadMillis, ids.stream().map(id -> drains.requestsFor(id).size()).toList());
  }

  @Test
  void aRolloutOfSixDrainsEveryInstanceBeforeItsTerminationWithinMaxUnavailable() throws Exception {
    String ns = newNamespace();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("drain-token")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of("token", "Bearer s3cret"))
                .build())
        .create();
    ServerFleet fleet =
        newFleet(
            ns,
            "workers",
            6,
            webhook("/drain-2000", 30, DefaultResult.Continue)
                .andThen(
                    f -> {
                      HeaderFrom h = new HeaderFrom();
                      h.setHeaderName("Authorization");
                      HeaderFrom.SecretKeyRef ref = new HeaderFrom.SecretKeyRef();
                      ref.setName("drain-token");
                      ref.setKey("token");
                      h.setSecretKeyRef(ref);
                      f.getSpec().getLifecycle().getPreTerminate().getWebhook().setHeaderFrom(h);
                      RollingUpdate ru = new RollingUpdate();
                      ru.setMaxSurge(new IntOrString(1));
                      ru.setMaxUnavailable(new IntOrString(1));
                      Strategy s = new Strategy();
                      s.setType(StrategyType.RollingUpdate);
                      s.setRollingUpdate(ru);
                      f.getSpec().setStrategy(s);
                    }));
    Set<String> old = ids(liveInstances(fleet));

    AtomicInteger maxUnavailable = new AtomicInteger();
    AtomicInteger maxDraining = new AtomicInteger();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                ServerFleet f = get(ns, "workers");
                if (f.getStatus() != null && f.getStatus().getAvailableReplicas() != null) {
                  maxUnavailable.accumulateAndGet(
                      6 - f.getStatus().getAvailableReplicas(), Math::max);
                  maxDraining.accumulateAndGet(f.getStatus().getDraining().size(), Math::max);
                }
                try {
                  TimeUnit.MILLISECONDS.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.start();
    kubectl.run(
        "patch",
        "sf/workers",
        "-n",
        ns,
        "--type=merge",
        "-p",
        "{\"spec\":{\"template\":{\"amiId\":\"" + AMI_V2 + "\"}}}");
    await()
        .atMost(240, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              ServerFleet f = get(ns, "workers");
              return Integer.valueOf(6).equals(f.getStatus().getUpdatedReplicas())
                  && Integer.valueOf(6).equals(f.getStatus().getAvailableReplicas())
                  && f.getStatus().getDraining().isEmpty()
                  && liveInstances(f).size() == 6;
            });
    sampler.interrupt();
    sampler.join();

    assertThat(ids(liveInstances(fleet))).doesNotContainAnyElementsOf(old);
    assertDrainedThenTerminated("rollout of 6, 2 s drain", old);
    assertThat(maxUnavailable.get()).as("unavailable, sampled from status").isLessThanOrEqualTo(1);
    assertThat(maxDraining.get()).as("status showed drains").isPositive();
    DrainServer.Request first = drains.requestsFor(old.iterator().next()).get(0);
    assertThat(first.authorization()).as("header from the Secret").isEqualTo("Bearer s3cret");
    assertThat(first.body())
        .containsEntry("fleet", "workers")
        .containsEntry("namespace", ns)
        .containsEntry("reason", "Rollout")
        .containsKeys("zone", "privateIp");
    assertThat(reasons(ns)).contains("DrainStarted", "DrainSucceeded");
  }

  @Test
  void aHookThatTimesOutWithAbandonKeepsTheInstanceDegradedUntilAPersonDecides() {
    String ns = newNamespace();
    ServerFleet fleet = newFleet(ns, "kept", 2, webhook("/never", 3, DefaultResult.Abandon));

    kubectl.run("scale", "sf/kept", "-n", ns, "--replicas=1");
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degradedReason(ns, "kept").equals("DrainAbandoned"));
    ServerFleet f = get(ns, "kept");
    DrainStatus kept = f.getStatus().getDraining().get(0);
    assertThat(kept.phase()).isEqualTo("Abandoned");
    assertThat(kept.message()).contains("TimedOut");
    assertThat(condition(f, "Degraded")).contains(kept.instanceId());
    // Several more passes: it stays, nothing terminates it, nothing more is launched.
    await().pollDelay(Duration.ofSeconds(4)).atMost(10, TimeUnit.SECONDS).until(() -> true);
    assertThat(ids(liveInstances(fleet))).hasSize(2).contains(kept.instanceId());
    assertThat(terminatedAt(kept.instanceId())).isEmpty();

    moto.ec2Client()
        .createTags(
            r ->
                r.resources(kept.instanceId())
                    .tags(
                        software.amazon.awssdk.services.ec2.model.Tag.builder()
                            .key(DrainStage.DECISION_TAG)
                            .value("terminate")
                            .build()));
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                liveInstances(fleet).size() == 1
                    && get(ns, "kept").getStatus().getDraining().isEmpty()
                    && degradedReason(ns, "kept").isEmpty());
    assertThat(terminatedAt(kept.instanceId())).isPresent();
  }

  @Test
  void deletingTheFleetDrainsEveryInstanceBeforeTerminatingIt() {
    String ns = newNamespace();
    ServerFleet fleet = newFleet(ns, "gone", 2, webhook("/drain-1500", 30, DefaultResult.Continue));
    Set<String> ids = ids(liveInstances(fleet));

    client.resource(get(ns, "gone")).delete();
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> get(ns, "gone") == null);

    assertDrainedThenTerminated("fleet deletion, 1.5 s drain", ids);
    assertThat(drains.requestsFor(ids.iterator().next()).get(0).body())
        .containsEntry("reason", "FleetDeleted");
  }

  @Test
  void theSsmActionRunsOnMotoAndTheInstanceIsTerminatedAfterTheCommandSucceeded() {
    String ns = newNamespace();
    ServerFleet fleet =
        newFleet(
            ns,
            "ssm",
            2,
            f -> {
              SsmCommandAction c = new SsmCommandAction();
              c.setDocumentName("AWS-RunShellScript");
              c.setParameters(Map.of("commands", List.of("systemctl stop worker")));
              c.setTimeoutSeconds(60);
              PreTerminateHook hook = new PreTerminateHook();
              hook.setSsmCommand(c);
              Lifecycle l = new Lifecycle();
              l.setPreTerminate(hook);
              f.getSpec().setLifecycle(l);
            });
    Set<String> before = ids(liveInstances(fleet));

    kubectl.run("scale", "sf/ssm", "-n", ns, "--replicas=1");
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> liveInstances(fleet).size() == 1);

    Set<String> gone = new java.util.HashSet<>(before);
    gone.removeAll(ids(liveInstances(fleet)));
    String id = gone.iterator().next();
    List<Command> commands = ssm.listCommands(r -> r.instanceId(id)).commands();
    assertThat(commands)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.documentName()).isEqualTo("AWS-RunShellScript");
              assertThat(c.parameters())
                  .containsEntry("commands", List.of("systemctl stop worker"));
              assertThat(c.requestedDateTime()).isBefore(terminatedAt(id).orElseThrow());
            });
    assertThat(events(ns))
        .filteredOn(e -> "DrainSucceeded".equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains(id).contains("Success"));
  }

  @Test
  void anOperatorStoppedMidHookResumesItAfterItsRestart() {
    String ns = newNamespace();
    ServerFleet fleet =
        newFleet(ns, "resume", 2, webhook("/drain-5000", 60, DefaultResult.Continue));

    kubectl.run("scale", "sf/resume", "-n", ns, "--replicas=1");
    // Stopped once the request is out (the drain takes 5 s): its answer dies with the operator.
    await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                get(ns, "resume").getStatus().getDraining().stream()
                    .anyMatch(
                        d ->
                            d.attempts() != null
                                && d.attempts() >= 1
                                && !drains.requestsFor(d.instanceId()).isEmpty()));
    String id = get(ns, "resume").getStatus().getDraining().get(0).instanceId();
    stopOperator();
    startOperator();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> liveInstances(fleet).size() == 1 && terminatedAt(id).isPresent());

    List<DrainServer.Request> calls = drains.requestsFor(id);
    assertThat(calls).as("sent again by the restarted operator").hasSizeGreaterThanOrEqualTo(2);
    assertDrainedThenTerminated("restart mid-hook, 5 s drain", Set.of(id));
    assertThat(reasons(ns)).contains("DrainResent");
  }

  @Test
  void anInstanceIsReadyOnlyOnceItTagsItselfThroughTheReadinessGate() {
    String ns = newNamespace();
    ServerFleet f = fleet(ns, "gated", 1, moto.createNetwork(1));
    TagGate tag = new TagGate();
    tag.setKey("app/ready");
    tag.setValue("true");
    ReadinessGate gate = new ReadinessGate();
    gate.setTag(tag);
    Lifecycle l = new Lifecycle();
    l.setReadinessGate(gate);
    f.getSpec().setLifecycle(l);
    create(f);
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ServerFleet s = get(ns, "gated");
              return s.getStatus() != null
                  && Integer.valueOf(1).equals(s.getStatus().getReplicas())
                  && !s.getStatus().getInstances().isEmpty()
                  && "running".equals(s.getStatus().getInstances().get(0).state());
            });
    // several polls later, still running and not ready
    await().pollDelay(Duration.ofSeconds(3)).atMost(10, TimeUnit.SECONDS).until(() -> true);
    ServerFleet waiting = get(ns, "gated");
    assertThat(waiting.getStatus().getReadyReplicas()).isZero();
    String id = waiting.getStatus().getInstances().get(0).id();

    // what the instance's user data would do
    moto.ec2Client()
        .createTags(
            r ->
                r.resources(id)
                    .tags(
                        software.amazon.awssdk.services.ec2.model.Tag.builder()
                            .key("app/ready")
                            .value("true")
                            .build()));
    awaitReady(waiting, 1);
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }

  private static String degradedReason(String ns, String name) {
    ServerFleet f = get(ns, name);
    if (f == null || f.getStatus() == null) {
      return "";
    }
    return f.getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> c.getReason())
        .findFirst()
        .orElse("");
  }

  private static String condition(ServerFleet f, String type) {
    return f.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getMessage())
        .findFirst()
        .orElse("");
  }

  private static List<Event> events(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  private static List<String> reasons(String ns) {
    return events(ns).stream().map(Event::getReason).toList();
  }
}
