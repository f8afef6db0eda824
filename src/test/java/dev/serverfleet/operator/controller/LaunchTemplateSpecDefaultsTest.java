package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import dev.serverfleet.operator.planning.Revision;
import org.junit.jupiter.api.Test;

/**
 * A fleet's launch template in its defaults-applied settings and in its revision history: what is
 * hashed is the resolved number, and what history stores pins it, so that an undo launches the very
 * version the revision launched.
 */
class LaunchTemplateSpecDefaultsTest {
  static final LaunchTemplateVersion V3 =
      new LaunchTemplateVersion(
          "lt-0123456789abcdef0", "web", 3, "ami-0abcdef1234567890", "t3.small", null, null);

  static ServerFleet fleet(String version) {
    ServerFleet fleet = LoopHarness.newFleet(2);
    LaunchTemplateRef ref = new LaunchTemplateRef();
    ref.setName("web");
    ref.setVersion(version);
    fleet.getSpec().getTemplate().setLaunchTemplate(ref);
    fleet.getSpec().getTemplate().setAmiId(null);
    fleet.getSpec().getTemplate().setInstanceType(null);
    return fleet;
  }

  static String revision(ServerFleet fleet, LaunchTemplateVersion resolved) {
    return Revision.of(SpecDefaults.launchSettings(fleet.getSpec().getTemplate(), resolved));
  }

  @Test
  void latestWrittenAsItsNumberIsTheSameRevision() {
    assertThat(revision(fleet("$Latest"), V3)).isEqualTo(revision(fleet("3"), V3));
    assertThat(revision(fleet(null), V3)).isEqualTo(revision(fleet("$Default"), V3));
  }

  @Test
  void historyPinsTheResolvedNumberAndAnUndoComesBackToTheSameRevision() {
    ServerFleet latest = fleet("$Latest");
    FleetRevisions.Data data =
        SpecDefaults.revisionData(
            latest, SpecDefaults.launchSettings(latest.getSpec().getTemplate(), V3));

    assertThat(data.template().getLaunchTemplate().getVersion()).isEqualTo("3");
    assertThat(data.template().getLaunchTemplate().getName()).isEqualTo("web");
    assertThat(latest.getSpec().getTemplate().getLaunchTemplate().getVersion())
        .as("the fleet itself is not touched")
        .isEqualTo("$Latest");

    ServerFleet undone = SpecDefaults.withRevision(latest, data);
    assertThat(undone.getSpec().getTemplate().getLaunchTemplate().getVersion()).isEqualTo("3");
    assertThat(revision(undone, V3)).isEqualTo(revision(latest, V3));
  }

  @Test
  void requestsSendNoImageOrTypeTheFleetDoesNotSet() {
    ServerFleet f = fleet("$Latest");
    f.getMetadata().setUid("uid-1");
    var launch =
        new dev.serverfleet.operator.planning.Launch(
            "token", "subnet-a", 1, "rev", false, "t3.small");
    var request =
        LaunchRequests.of(
            "c1", f, launch, SpecDefaults.launchSettings(f.getSpec().getTemplate(), V3));
    assertThat(request.imageId()).isNull();
    assertThat(request.instanceType()).isNull();
    assertThat(request.launchTemplate()).isEqualTo(V3);
    assertThat(request.httpTokensRequired()).isTrue();
    assertThat(request.tags()).containsEntry("serverfleet.dev/cluster", "c1");
  }
}
