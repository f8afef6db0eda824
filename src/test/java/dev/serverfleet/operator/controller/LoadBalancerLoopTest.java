package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.NEW_AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.rolling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.DefaultResult;
import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.LoadBalancer;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.FakeTargetGroups;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.TargetState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * spec.loadBalancer through the loop, the EC2 fake and {@link FakeTargetGroups} (initial, unhealthy
 * and draining targets, which moto never reports), one pass per simulated second.
 */
class LoadBalancerLoopTest {
  static final String TG_A =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-a/0123456789abcdef";
  static final String TG_B =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-b/fedcba9876543210";
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final Map<String, Instant> firstCall = new HashMap<>();
  private FakeTargetGroups groups;

  static Consumer<ServerFleetSpec> loadBalancer(Integer cap, String... arns) {
    return s -> {
      LoadBalancer lb = new LoadBalancer();
      lb.setTargetGroupArns(List.of(arns));
      lb.setDeregistrationDelayCapSeconds(cap);
      s.setLoadBalancer(lb);
    };
  }

  static Consumer<ServerFleetSpec> elbHealth(int graceSeconds) {
    return s -> {
      HealthCheck hc = new HealthCheck();
      hc.setType(HealthCheckType.ELB);
      hc.setGracePeriodSeconds(graceSeconds);
      s.setHealthCheck(hc);
    };
  }

  /** A fleet of {@code replicas} behind TG_A (delay 120s) and TG_B (delay 30s), converged. */
  private LoopHarness converged(int replicas, Consumer<ServerFleetSpec> spec) {
    LoopHarness h = new LoopHarness(replicas);
    groups = new FakeTargetGroups(h.clock).group(TG_A, 120).group(TG_B, 30);
    h.useTargetGroups(groups);
    groups.listen(
        (op, detail) -> {
          h.note(op, detail);
          for (String id : detail.substring(detail.indexOf(' ') + 1).split(",")) {
            firstCall.putIfAbsent(op + "/" + id, h.clock.instant());
          }
        });
    h.editSpec(spec);
    // a fleet with a load balancer is looked at every 15s: never "stable" in the harness' sense
    seconds(h, 60, x -> {});
    assertThat(h.liveInstances()).hasSize(replicas);
    return h;
  }

  /** Passes, one per second; notes when TerminateInstances first named each instance. */
  private void seconds(LoopHarness h, int seconds, Consumer<LoopHarness> check) {
    for (int n = 0; n < seconds; n++) {
      h.poll();
      if (h.due()) {
        h.step();
        noteTerminations(h);
        check.accept(h);
      }
      h.clock.advance(SECOND);
    }
  }

  private void noteTerminations(LoopHarness h) {
    for (LoopHarness.Entry e : h.entries(FakeEc2.TERMINATE)) {
      for (String id : e.detail().split(",")) {
        firstCall.putIfAbsent(FakeEc2.TERMINATE + "/" + id, h.clock.instant());
      }
    }
  }

  /** Seconds from the instance's DeregisterTargets to its TerminateInstances. */
  private Duration waited(String id) {
    return Duration.between(
        firstCall.get("DeregisterTargets/" + id), firstCall.get(FakeEc2.TERMINATE + "/" + id));
  }

  private static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }

  /** When TerminateInstances first named the instance, from the journal's order. */
  private static int terminatedAt(LoopHarness h, String id) {
    return h.entries(FakeEc2.TERMINATE).stream()
        .filter(e -> List.of(e.detail().split(",")).contains(id))
        .mapToInt(LoopHarness.Entry::seq)
        .findFirst()
        .orElse(-1);
  }

  private static int deregisteredAt(LoopHarness h, String id) {
    return h.entries("DeregisterTargets").stream()
        .filter(e -> e.detail().endsWith(" " + id))
        .mapToInt(LoopHarness.Entry::seq)
        .findFirst()
        .orElse(-1);
  }

  @Test
  void registersEveryRunningInstanceOnceInEveryGroupWithOneHealthCallPerGroupPerPass() {
    LoopHarness h = converged(4, loadBalancer(null, TG_A, TG_B));
    Set<String> live = ids(h.liveInstances());
    for (String id : live) {
      assertThat(groups.state(TG_A, id)).as("%s in A", id).isNotEqualTo(TargetState.NOT_REGISTERED);
      assertThat(groups.state(TG_B, id)).as("%s in B", id).isNotEqualTo(TargetState.NOT_REGISTERED);
    }
    int registers = groups.calls("RegisterTargets");
    int health = groups.calls("DescribeTargetHealth");
    int passes = h.passes();

    seconds(h, 30, x -> {});
    h.annotate("poke", "1"); // an event: one more pass with everything registered
    seconds(h, 2, x -> {});

    int passesNow = h.passes() - passes;
    assertThat(passesNow).isPositive();
    assertThat(groups.calls("RegisterTargets")).as("nothing registered twice").isEqualTo(registers);
    assertThat(groups.calls("DescribeTargetHealth") - health)
        .as("one DescribeTargetHealth per target group per pass, for 4 instances")
        .isEqualTo(2 * passesNow);
    assertThat(groups.calls("DeregisterTargets")).isZero();
  }

  @Test
  void aScaleInDeregistersFirstAndTerminatesOnlyAfterTheLongestDelay() {
    LoopHarness h = converged(3, loadBalancer(null, TG_A, TG_B));
    Set<String> before = ids(h.liveInstances());

    h.scale(2);
    List<DrainStatus> seen = new ArrayList<>();
    seconds(h, 200, x -> seen.addAll(x.status().getDraining()));

    Set<String> gone = new HashSet<>(before);
    gone.removeAll(ids(h.liveInstances()));
    assertThat(gone).hasSize(1);
    String victim = gone.iterator().next();
    assertThat(deregisteredAt(h, victim)).isNotNegative();
    assertThat(terminatedAt(h, victim)).isGreaterThan(deregisteredAt(h, victim));
    assertThat(waited(victim))
        .as("the longer delay of the two groups")
        .isBetween(Duration.ofSeconds(120), Duration.ofSeconds(122));
    assertThat(seen)
        .as("status showed the instance draining for the load balancer")
        .anySatisfy(
            d -> {
              assertThat(d.instanceId()).isEqualTo(victim);
              assertThat(d.action()).isEqualTo("deregister");
              assertThat(d.phase()).isEqualTo("Running");
              assertThat(d.waitUntil()).isNotNull();
            });
    assertThat(h.status().getDraining()).isEmpty();
    assertThat(h.events).extracting(LoopHarness.Event::reason).contains("Deregistered");
  }

  @Test
  void theCapShortensTheWait() {
    LoopHarness h = converged(2, loadBalancer(20, TG_A, TG_B));
    h.scale(1);
    seconds(h, 60, x -> {});
    assertThat(h.liveInstances()).hasSize(1);
    String victim = h.entries("DeregisterTargets").get(0).detail().split(" ")[1];
    assertThat(waited(victim)).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(22));
  }

  @Test
  void aRestartMidDeregistrationResumesTheWaitWithoutStartingAgain() {
    LoopHarness h = converged(2, loadBalancer(null, TG_A));
    h.scale(1);
    seconds(h, 50, x -> {});
    assertThat(h.status().getDraining())
        .singleElement()
        .satisfies(d -> assertThat(d.action()).isEqualTo("deregister"));
    String victim = h.status().getDraining().get(0).instanceId();
    Instant deregistered = firstCall.get("DeregisterTargets/" + victim);

    h.restart();
    seconds(h, 100, x -> {});

    assertThat(h.liveInstances()).hasSize(1);
    assertThat(h.entries("DeregisterTargets")).as("not deregistered again").hasSize(1);
    assertThat(Duration.between(deregistered, firstCall.get(FakeEc2.TERMINATE + "/" + victim)))
        .isBetween(Duration.ofSeconds(120), Duration.ofSeconds(122));
  }

  @Test
  void withAHookTheHookRunsFirstThenTheDeregistration() {
    LoopHarness h =
        converged(
            2, loadBalancer(5, TG_A).andThen(DrainLoopTest.webhook(30, DefaultResult.Continue)));
    FakeDrains drains = new FakeDrains(h);
    h.useDrains(drains);
    h.scale(1);
    seconds(h, 40, x -> {});

    assertThat(h.liveInstances()).hasSize(1);
    String victim = drains.sent.get(0).instanceId();
    int hook = h.entries("Drain").get(0).seq();
    assertThat(deregisteredAt(h, victim)).isGreaterThan(hook);
    assertThat(terminatedAt(h, victim)).isGreaterThan(deregisteredAt(h, victim));
  }

  @Test
  void anElbUnhealthyInstanceIsReplacedAfterTheGracePeriodDeregisteredFirst() {
    LoopHarness h = converged(2, loadBalancer(5, TG_A).andThen(elbHealth(300)));
    seconds(h, 30, x -> {});
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    String sick = h.liveInstances().get(0).id();
    groups.failHealthChecks(sick); // 90s after launch, within the 300s grace period

    seconds(h, 150, x -> {});
    assertThat(ids(h.liveInstances())).as("kept within the grace period").contains(sick);
    assertThat(h.status().getReadyReplicas()).as("but not ready").isEqualTo(1);

    seconds(h, 120, x -> {});
    assertThat(ids(h.liveInstances())).doesNotContain(sick).hasSize(2);
    assertThat(deregisteredAt(h, sick)).isNotNegative();
    assertThat(terminatedAt(h, sick)).isGreaterThan(deregisteredAt(h, sick));
  }

  @Test
  void withElbHealthAnInstanceIsReadyOnlyOnceHealthyInEveryGroup() {
    LoopHarness h = new LoopHarness(1);
    groups = new FakeTargetGroups(h.clock).group(TG_A, 10).group(TG_B, 10);
    groups.healthyAfter = Duration.ofSeconds(40);
    h.useTargetGroups(groups);
    h.editSpec(loadBalancer(null, TG_A, TG_B).andThen(elbHealth(300)));
    List<Integer> ready = new ArrayList<>();
    seconds(
        h,
        90,
        x -> ready.add(x.status().getReadyReplicas() == null ? 0 : x.status().getReadyReplicas()));
    String id = h.liveInstances().get(0).id();
    assertThat(ready).contains(0).endsWith(1);
    assertThat(groups.state(TG_A, id)).isEqualTo(TargetState.HEALTHY);
  }

  @Test
  void aRolloutWithMaxUnavailableZeroNeverHasFewerHealthyTargetsThanReplicas() {
    LoopHarness h =
        converged(
            3,
            loadBalancer(15, TG_A)
                .andThen(elbHealth(300))
                .andThen(s -> s.setStrategy(rolling(1, 0))));
    seconds(h, 30, x -> {});
    assertThat(healthy(h)).isEqualTo(3);

    h.editSpec(s -> s.getTemplate().setAmiId(NEW_AMI));
    List<Integer> healthySeen = new ArrayList<>();
    seconds(h, 400, x -> healthySeen.add(healthy(x)));

    assertThat(h.liveInstances())
        .hasSize(3)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
    assertThat(h.entries("DeregisterTargets")).hasSize(3);
    assertThat(healthySeen).as("healthy targets in the group, every second").allMatch(n -> n >= 3);
  }

  private int healthy(LoopHarness h) {
    return (int)
        h.liveInstances().stream()
            .filter(i -> groups.state(TG_A, i.id()) == TargetState.HEALTHY)
            .count();
  }

  @Test
  void aMissingTargetGroupDegradesTheFleetAndItsInstancesGoWithoutAWait() {
    String gone =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0000000000000000";
    LoopHarness h = converged(2, loadBalancer(null, gone));
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo(TargetRegistrations.REASON);
    assertThat(h.condition(Conditions.DEGRADED).getMessage()).contains("TargetGroupNotFound", gone);

    h.scale(1);
    seconds(h, 10, x -> {});

    assertThat(h.liveInstances()).hasSize(1);
    assertThat(h.events).extracting(LoopHarness.Event::reason).contains("DeregistrationFailed");
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("DeregistrationFailed"))
        .first()
        .satisfies(e -> assertThat(e.message()).contains("terminating without the wait"));
  }
}
