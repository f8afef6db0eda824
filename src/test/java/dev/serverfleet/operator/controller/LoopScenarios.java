package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.api.v1alpha1.StrategyType;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Shared steps and checks for the loop tests that run {@link FleetLoop} on {@link LoopHarness}. */
final class LoopScenarios {
  private LoopScenarios() {}

  static final Duration STEP = Duration.ofSeconds(5);

  static final String BAD_AMI = "ami-0123456789abcdef0";

  /** Known to the fake, like {@link LoopHarness#AMI}. */
  static final String NEW_AMI = "ami-0fedcba9876543210";

  static final String UNKNOWN_AMI = BAD_AMI;

  static void assertConverged(LoopHarness h, int replicas) {
    assertThat(h.liveInstances())
        .hasSize(replicas)
        .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceState.RUNNING));
    ServerFleetStatus s = h.status();
    assertThat(s.getReplicas()).isEqualTo(replicas);
    assertThat(s.getReadyReplicas()).isEqualTo(replicas);
    assertThat(s.getUpdatedReplicas()).isEqualTo(replicas);
    assertThat(s.getLaunchIntents()).isEmpty();
    assertThat(s.getInstances())
        .extracting(i -> i.id())
        .containsExactlyInAnyOrderElementsOf(h.liveInstances().stream().map(Instance::id).toList());
    assertThat(h.condition(Conditions.READY))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("AllInstancesReady");
            });
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(h.status().getObservedGeneration())
        .isEqualTo(h.fleet().getMetadata().getGeneration());
  }

  static Condition condition(ServerFleetStatus s, String type) {
    return s.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  /** A fleet of {@code replicas} with this spec, converged on {@link LoopHarness#AMI}. */
  static LoopHarness converged(int replicas, Consumer<ServerFleetSpec> spec) {
    LoopHarness h = new LoopHarness(replicas);
    h.editSpec(spec);
    h.runUntilStable(60, STEP);
    assertThat(h.liveInstances()).hasSize(replicas);
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
    return h;
  }

  /** Converged, with healthCheck EC2StatusChecks polled as the operator does. */
  static LoopHarness statusChecked(int replicas, int graceSeconds, int maxUnhealthyPercent) {
    LoopHarness h = new LoopHarness(replicas);
    h.pollWithStatusChecks();
    HealthCheck check = new HealthCheck();
    check.setType(HealthCheckType.EC2StatusChecks);
    check.setGracePeriodSeconds(graceSeconds);
    check.setMaxUnhealthyPercent(maxUnhealthyPercent);
    h.editSpec(s -> s.setHealthCheck(check));
    h.runUntilStable(60, STEP);
    assertThat(h.status().getReadyReplicas()).isEqualTo(replicas);
    return h;
  }

  static Strategy rolling(Object maxSurge, Object maxUnavailable) {
    RollingUpdate bounds = new RollingUpdate();
    bounds.setMaxSurge(intOrString(maxSurge));
    bounds.setMaxUnavailable(intOrString(maxUnavailable));
    Strategy strategy = new Strategy();
    strategy.setType(StrategyType.RollingUpdate);
    strategy.setRollingUpdate(bounds);
    return strategy;
  }

  static Strategy recreate() {
    Strategy strategy = new Strategy();
    strategy.setType(StrategyType.Recreate);
    return strategy;
  }

  static IntOrString intOrString(Object value) {
    return value instanceof Integer i ? new IntOrString(i) : new IntOrString(String.valueOf(value));
  }

  /** Like {@link LoopHarness#runUntilStable}, with a check after every pass. */
  static void run(LoopHarness h, int maxSteps, Consumer<LoopHarness> afterPass) {
    for (int n = 0; n < maxSteps; n++) {
      h.poll();
      if (h.due()) {
        h.step();
        afterPass.accept(h);
      } else if (h.nextRunAt() == null) {
        return;
      }
      h.clock.advance(STEP);
    }
    throw new AssertionError("not stable after " + maxSteps + " steps");
  }

  /**
   * Lets time pass in steps, polling, and reconciling whenever an event or the requeue timer is
   * due.
   */
  static void passTime(LoopHarness h, Duration total, Consumer<LoopHarness> afterPass) {
    for (Duration t = Duration.ZERO; t.compareTo(total) < 0; t = t.plus(STEP)) {
      h.poll();
      if (h.due()) {
        h.step();
        afterPass.accept(h);
      }
      h.clock.advance(STEP);
    }
  }

  static Set<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::id).collect(Collectors.toSet());
  }
}
