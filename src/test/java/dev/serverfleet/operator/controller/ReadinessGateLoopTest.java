package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.Lifecycle;
import dev.serverfleet.operator.api.v1alpha1.ReadinessGate;
import dev.serverfleet.operator.api.v1alpha1.TagGate;
import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lifecycle.readinessGate.tag through the loop: instances tag themselves ready (here: the test).
 */
class ReadinessGateLoopTest {
  private static final Duration STEP = Duration.ofSeconds(5);

  private static LoopHarness gated(int replicas, int graceSeconds) {
    LoopHarness h = new LoopHarness(replicas);
    h.editSpec(
        s -> {
          TagGate tag = new TagGate();
          tag.setKey("app/ready");
          tag.setValue("true");
          ReadinessGate gate = new ReadinessGate();
          gate.setTag(tag);
          Lifecycle l = new Lifecycle();
          l.setReadinessGate(gate);
          s.setLifecycle(l);
          HealthCheck check = new HealthCheck();
          check.setGracePeriodSeconds(graceSeconds);
          check.setMaxUnhealthyPercent(100);
          s.setHealthCheck(check);
        });
    return h;
  }

  private static void passFor(LoopHarness h, Duration total) {
    for (Duration t = Duration.ZERO; t.compareTo(total) < 0; t = t.plus(STEP)) {
      h.poll();
      if (h.due()) {
        h.step();
      }
      h.clock.advance(STEP);
    }
  }

  @Test
  void runningIsNotReadyUntilTheInstanceTagsItself() {
    LoopHarness h = gated(2, 600);
    passFor(h, Duration.ofSeconds(60));
    List<Instance> live = h.liveInstances();
    assertThat(live).hasSize(2);
    assertThat(h.status().getReplicas()).isEqualTo(2);
    assertThat(h.status().getReadyReplicas()).as("running, not through the gate").isZero();
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");

    live.forEach(i -> h.tagInEc2(i.id(), "app/ready", "true"));
    passFor(h, Duration.ofSeconds(30));
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    assertThat(h.status().getAvailableReplicas()).isEqualTo(2);
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void anInstanceThatNeverTagsItselfIsReplacedAfterTheGracePeriod() {
    LoopHarness h = gated(2, 120);
    passFor(h, Duration.ofSeconds(60));
    List<Instance> first = h.liveInstances();
    h.tagInEc2(first.get(0).id(), "app/ready", "true");
    passFor(h, Duration.ofSeconds(150));

    assertThat(h.liveInstances())
        .extracting(Instance::id)
        .contains(first.get(0).id())
        .doesNotContain(first.get(1).id());
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals("Terminated"))
        .anySatisfy(e -> assertThat(e.message()).contains(first.get(1).id()));
  }
}
