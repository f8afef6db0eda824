package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.ClassPolicyTest.fleet;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which fleets a neighbour's change wakes, and which changes wake them. */
class ClassHoldWakeUpsTest {

  @Test
  void onlyTheOtherFleetsHeldByTheirClassAreWoken() {
    ServerFleet changed =
        withDegraded(fleet("web", "uid-web", "team-a", "gold", null), "ClassPolicy");
    ServerFleet held = withDegraded(fleet("api", "uid-api", "team-a", "gold", null), "ClassPolicy");
    ServerFleet failing =
        withDegraded(fleet("db", "uid-db", "team-a", "gold", null), "LaunchFailed");
    ServerFleet fine = fleet("cache", "uid-cache", "team-a", "gold", null);

    assertThat(ClassHoldWakeUps.held(changed, List.of(changed, held, failing, fine)))
        .containsExactly(new ResourceID("api", "team-a"));
  }

  @Test
  void aNewSpecOrADeletionWakesAPassOnTheSameSpecDoesNot() {
    ServerFleet seen = fleet("web", "uid-web", "team-a", "gold", null);
    seen.getMetadata().setGeneration(3L);
    seen.setStatus(new ServerFleetStatus());
    seen.getStatus().setObservedGeneration(3L);
    assertThat(ClassHoldWakeUps.changed(seen)).isFalse();

    seen.getMetadata().setGeneration(4L);
    assertThat(ClassHoldWakeUps.changed(seen)).as("scaled").isTrue();

    seen.getStatus().setObservedGeneration(4L);
    seen.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
    assertThat(ClassHoldWakeUps.changed(seen)).as("being deleted").isTrue();
  }

  private static ServerFleet withDegraded(ServerFleet fleet, String reason) {
    Condition degraded = new Condition();
    degraded.setType(Conditions.DEGRADED);
    degraded.setStatus("True");
    degraded.setReason(reason);
    ServerFleetStatus status = new ServerFleetStatus();
    status.getConditions().add(degraded);
    fleet.setStatus(status);
    return fleet;
  }
}
