package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static dev.serverfleet.operator.controller.LoopScenarios.converged;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.MaintenancePolicy;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.Interruption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Interruption notices through the loop and the EC2 fake (pending for 30 s): replacements first,
 * then the doomed instances through the normal termination path, the notices kept in status.
 */
class InterruptionLoopTest {
  private static Interruption spot(LoopHarness h) {
    return new Interruption(
        Interruption.Kind.SPOT_INTERRUPTION, h.clock.instant().plusSeconds(120), "terminate");
  }

  private static LoopHarness sixPending30s() {
    LoopHarness h = converged(6, s -> {});
    h.fake.setPendingDuration(Duration.ofSeconds(30));
    h.journal.clear();
    h.fake.clearCalls();
    return h;
  }

  @Test
  void threeWarningsOfSixLaunchThreeReplacementsThatRunBeforeTheThreeAreTerminated() {
    LoopHarness h = sixPending30s();
    List<Instance> doomed = h.liveInstances().subList(0, 3);
    doomed.forEach(i -> h.interrupt(i.id(), spot(h)));

    h.step();

    // one replacement per doomed instance, each in its doomed instance's subnet
    assertThat(h.runRequests().stream().mapToInt(r -> r.count()).sum()).isEqualTo(3);
    assertThat(
            h.runRequests().stream()
                .flatMap(r -> java.util.Collections.nCopies(r.count(), r.subnetId()).stream()))
        .containsExactlyInAnyOrderElementsOf(doomed.stream().map(Instance::subnetId).toList());
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.status().getInstances())
        .filteredOn(i -> i.interruption() != null)
        .extracting(InstanceStatus::id)
        .containsExactlyInAnyOrderElementsOf(doomed.stream().map(Instance::id).toList());
    // What deploy/argocd's testdata/progressing-interrupted.yaml shows (Argo CD: Progressing).
    String revision = h.status().getCurrentRevision();
    assertThat(h.condition(Conditions.PROGRESSING).getReason())
        .isEqualTo(FleetConditions.REPLACING_INTERRUPTED);
    assertThat(h.condition(Conditions.PROGRESSING).getMessage())
        .isEqualTo(
            "9 of 6 instance(s) on revision "
                + revision
                + ", 6 available; replacing 3 instance(s) AWS will take");
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(h.condition(Conditions.READY).getMessage())
        .isEqualTo(
            "3 of 6 instances available on revision "
                + revision
                + " besides 3 that AWS will take, being replaced");
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");

    // Step by step: when the TerminateInstances goes out, every replacement is running in EC2.
    java.util.Set<String> doomedIds =
        doomed.stream().map(Instance::id).collect(java.util.stream.Collectors.toSet());
    boolean replacementsRanFirst = false;
    for (int n = 0; n < 40 && h.entries(FakeEc2.TERMINATE).isEmpty(); n++) {
      h.clock.advance(STEP);
      h.poll();
      replacementsRanFirst =
          h.liveInstances().stream()
              .filter(i -> !doomedIds.contains(i.id()))
              .allMatch(i -> i.state() == InstanceState.RUNNING);
      if (h.due()) {
        h.step();
      }
    }
    assertThat(h.entries(FakeEc2.TERMINATE)).hasSize(1);
    assertThat(h.entries(FakeEc2.TERMINATE).get(0).detail())
        .contains(doomedIds.toArray(String[]::new));
    assertThat(replacementsRanFirst).isTrue();
    h.runUntilStable(60, STEP);

    doomed.forEach(
        d ->
            assertThat(h.fake.instance(d.id()).orElseThrow().state())
                .isEqualTo(InstanceState.TERMINATED));
    assertThat(h.liveInstances()).hasSize(6);
    assertThat(h.entries(FakeEc2.TERMINATE)).hasSize(1);
    assertThat(h.events)
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("Terminated");
              assertThat(e.message()).contains("AWS interruption notice");
            });
    assertThat(h.condition(Conditions.PROGRESSING).getReason())
        .isEqualTo(Conditions.ROLLOUT_COMPLETE);
    assertThat(h.status().getInstances()).allSatisfy(i -> assertThat(i.interruption()).isNull());
  }

  @Test
  void theDoomedSetSurvivesARestartThroughStatus() {
    LoopHarness h = sixPending30s();
    Instance doomed = h.liveInstances().get(0);
    h.interrupt(doomed.id(), spot(h));
    h.step(); // the notice is in status, its replacement launching

    h.restart(); // in-memory notices are gone
    h.runUntilStable(60, STEP);

    assertThat(h.fake.instance(doomed.id()).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(h.runRequests().stream().mapToInt(r -> r.count()).sum()).isEqualTo(1);
    assertThat(h.liveInstances()).hasSize(6);
  }

  @Test
  void aRepeatedNoticeChangesNothing() {
    LoopHarness h = sixPending30s();
    Instance doomed = h.liveInstances().get(0);
    h.interrupt(doomed.id(), spot(h));
    h.step();
    h.interrupt(doomed.id(), spot(h)); // SQS delivered it again
    h.step();

    assertThat(h.runRequests().stream().mapToInt(r -> r.count()).sum()).isEqualTo(1);
  }

  @Test
  void maxHealthy100TerminatesFirstWithinTheMinimumThenReplaces() {
    LoopHarness h =
        converged(
            4,
            s -> {
              MaintenancePolicy m = new MaintenancePolicy();
              m.setMinHealthyPercentage(50);
              m.setMaxHealthyPercentage(100);
              s.setMaintenance(m);
            });
    h.journal.clear();
    List<Instance> doomed = h.liveInstances().subList(0, 2);
    doomed.forEach(i -> h.interrupt(i.id(), spot(h)));

    h.step();

    assertThat(h.entries(FakeEc2.RUN)).isEmpty();
    assertThat(h.entries(FakeEc2.TERMINATE)).hasSize(1);
    h.runUntilStable(60, STEP);
    assertThat(h.liveInstances()).hasSize(4);
    assertThat(h.firstIndexOf(FakeEc2.TERMINATE)).isLessThan(h.firstIndexOf(FakeEc2.RUN));
  }

  @Test
  void withAMaintenancePolicyAnImpairedInstanceIsReplacedBeforeItIsTerminated() {
    LoopHarness h = LoopScenarios.statusChecked(3, 60, 20);
    h.editSpec(
        s -> {
          MaintenancePolicy m = new MaintenancePolicy();
          m.setMinHealthyPercentage(100);
          m.setMaxHealthyPercentage(110);
          s.setMaintenance(m);
        });
    LoopScenarios.passTime(h, Duration.ofSeconds(60), x -> {}); // past the grace period
    Instance sick = h.liveInstances().get(0);
    h.fake.setPendingDuration(Duration.ofSeconds(30));
    h.journal.clear();

    h.fake.setHealth(sick.id(), dev.serverfleet.operator.fleet.Health.IMPAIRED);
    h.poll();
    h.step();

    assertThat(h.entries(FakeEc2.RUN)).as("the replacement, at once").hasSize(1);
    assertThat(h.entries(FakeEc2.TERMINATE)).as("the impaired one stays for now").isEmpty();

    h.runUntilStable(60, STEP);

    assertThat(h.fake.instance(sick.id()).orElseThrow().state())
        .isEqualTo(InstanceState.TERMINATED);
    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.entries(FakeEc2.RUN)).hasSize(1);
    assertThat(h.events)
        .anySatisfy(e -> assertThat(e.message()).contains("failing status checks", sick.id()));
  }

  @Test
  void withoutAMaintenancePolicyAnImpairedInstanceIsTerminatedFirstAsBefore() {
    LoopHarness h = LoopScenarios.statusChecked(3, 60, 20);
    LoopScenarios.passTime(h, Duration.ofSeconds(60), x -> {});
    Instance sick = h.liveInstances().get(0);
    h.journal.clear();

    h.fake.setHealth(sick.id(), dev.serverfleet.operator.fleet.Health.IMPAIRED);
    h.poll();
    h.step();

    assertThat(h.entries(FakeEc2.TERMINATE))
        .as("terminated in the pass that launches its replacement")
        .hasSize(1);
  }
}
