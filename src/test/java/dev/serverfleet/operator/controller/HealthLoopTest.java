package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Status-check health, the replacement cap and minReadySeconds, through the loop and the EC2 fake.
 */
class HealthLoopTest {
  @Test
  void anImpairedInstancePastItsGracePeriodIsReplaced() {
    LoopHarness h = statusChecked(3, 60, 20);
    passTime(h, Duration.ofSeconds(60), x -> {}); // every instance is past its grace period now
    Instance sick = h.liveInstances().get(0);

    h.fake.setHealth(sick.id(), Health.IMPAIRED);
    h.runUntilStable(40, STEP);

    assertThat(h.fake.instance(sick.id()).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(h.liveInstances())
        .hasSize(3)
        .filteredOn(i -> i.subnetId().equals(sick.subnetId()))
        .hasSize(1);
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("Terminated");
              assertThat(e.message()).contains("failing status checks", sick.id());
            });
    assertThat(h.status().getReadyReplicas()).isEqualTo(3);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void anImpairedInstanceWithinItsGracePeriodIsNotReadyButKept() {
    LoopHarness h = statusChecked(3, 300, 20);
    Instance sick = h.liveInstances().get(0);

    h.fake.setHealth(sick.id(), Health.IMPAIRED);
    h.poll();
    h.step();

    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    assertThat(h.status().getInstances())
        .filteredOn(i -> i.id().equals(sick.id()))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.health()).isEqualTo("IMPAIRED");
              assertThat(i.readySince()).isNull();
            });
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void anImpairedInstanceIsReplacedWhenItsGracePeriodEndsWithoutAnyOtherEvent() {
    LoopHarness h = statusChecked(3, 120, 20);
    Instance sick = h.liveInstances().get(0);
    h.fake.setHealth(sick.id(), Health.IMPAIRED);

    passTime(h, Duration.ofMinutes(4), x -> {});

    assertThat(h.fake.instance(sick.id()).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
  }

  @Test
  void moreUnhealthyThanTheCapReplacesOnlyTheCapAndDegrades() {
    LoopHarness h = statusChecked(5, 0, 20); // cap: max(1, 5 × 20%) = 1
    h.fake.setPendingDuration(Duration.ofSeconds(60));
    List<Instance> sick = h.liveInstances().subList(0, 3);

    sick.forEach(i -> h.fake.setHealth(i.id(), Health.IMPAIRED));
    h.poll();
    h.step();

    assertThat(h.entries(FakeEc2.TERMINATE))
        .singleElement()
        .satisfies(e -> assertThat(e.detail().split(",")).hasSize(1));
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("TooManyUnhealthy");
              assertThat(c.getMessage()).startsWith("2 unhealthy instance(s) left in place");
            });
  }

  @Test
  void whileAReplacementIsStartingNoFurtherUnhealthyInstanceIsReplaced() {
    LoopHarness h = statusChecked(5, 0, 20);
    h.fake.setPendingDuration(Duration.ofSeconds(60));
    List<Instance> sick = h.liveInstances().subList(0, 3);
    sick.forEach(i -> h.fake.setHealth(i.id(), Health.IMPAIRED));

    passTime(h, Duration.ofSeconds(30), x -> {}); // the first replacement is still pending

    assertThat(sick)
        .filteredOn(i -> h.fake.instance(i.id()).orElseThrow().state().isLive())
        .hasSize(2);
    assertThat(h.condition(Conditions.DEGRADED).getReason()).isEqualTo("TooManyUnhealthy");
  }

  @Test
  void minReadySecondsDelaysAvailability() {
    LoopHarness h = new LoopHarness(2);
    h.editSpec(s -> s.setMinReadySeconds(60));
    h.poll();
    h.step(); // t=0: launches; running from the next poll on

    h.clock.advance(STEP);
    h.poll();
    h.step(); // t=5: first seen ready
    assertThat(h.status().getReadyReplicas()).isEqualTo(2);
    assertThat(h.status().getAvailableReplicas()).isZero();
    assertThat(h.status().getInstances())
        .extracting(InstanceStatus::readySince)
        .containsOnly("2025-01-01T00:00:05Z");
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");

    h.clock.advance(Duration.ofSeconds(59));
    h.poll();
    h.step(); // t=64: ready for 59 s
    assertThat(h.status().getAvailableReplicas()).isZero();

    h.clock.advance(Duration.ofSeconds(1));
    h.poll();
    h.step(); // t=65: ready for 60 s
    assertThat(h.status().getAvailableReplicas()).isEqualTo(2);
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void availabilityArrivesWithoutAnyOtherEvent() {
    LoopHarness h = new LoopHarness(2);
    h.editSpec(
        s -> {
          s.setMinReadySeconds(60);
          s.setStrategy(rolling(1, 0));
        });

    passTime(h, Duration.ofMinutes(2), x -> {});

    assertThat(h.status().getAvailableReplicas()).isEqualTo(2);
  }
}
