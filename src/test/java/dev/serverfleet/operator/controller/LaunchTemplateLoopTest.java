package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A fleet launching from a launch template, on the loop with the in-memory EC2: it launches with
 * the template's image and type, follows $Latest with a rollout once per refresh (held while
 * paused), and holds everything, Degraded, when the template cannot be resolved.
 */
class LaunchTemplateLoopTest {
  /** Longer than the harness's QUIET, so a fleet waiting for the next refresh counts as stable. */
  static final Duration REFRESH = Duration.ofMinutes(2);

  static final String AMI_1 = FakeEc2.DEFAULT_AMIS.get(0);
  static final String AMI_2 = FakeEc2.DEFAULT_AMIS.get(1);

  /** A fleet of {@code replicas} with only a launch template (no amiId, no instance type). */
  static LoopHarness fromTemplate(int replicas, String version) {
    LoopHarness h = new LoopHarness(replicas);
    String id = h.fake.launchTemplates.create("web", AMI_1, "t3.small");
    h.useLaunchTemplates(REFRESH);
    h.editSpec(s -> useTemplate(s, id, null, version));
    return h;
  }

  static void useTemplate(ServerFleetSpec s, String id, String name, String version) {
    LaunchTemplateRef ref = new LaunchTemplateRef();
    ref.setId(id);
    ref.setName(name);
    ref.setVersion(version);
    s.getTemplate().setLaunchTemplate(ref);
    s.getTemplate().setAmiId(null);
    s.getTemplate().setInstanceType(null);
  }

  static String templateId(LoopHarness h) {
    return h.fleet().getSpec().getTemplate().getLaunchTemplate().getId();
  }

  @Test
  void launchesWithTheTemplatesImageAndTypeSendingNeither() {
    LoopHarness h = fromTemplate(2, null);
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances())
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.imageId()).isEqualTo(AMI_1);
              assertThat(i.instanceType()).isEqualTo("t3.small");
            });
    assertThat(h.runRequests())
        .isNotEmpty()
        .allSatisfy(
            r -> {
              assertThat(r.imageId()).as("the template's image applies").isNull();
              assertThat(r.instanceType()).as("the template's type applies").isNull();
              assertThat(r.launchTemplate().version()).as("$Default resolved").isEqualTo(1);
              assertThat(r.httpTokensRequired()).as("IMDSv2 by default, over it").isTrue();
            });
    assertThat(h.status().getLaunchTemplate().version()).isEqualTo(1L);
    assertThat(h.status().getLaunchTemplate().name()).isEqualTo("web");
    assertThat(h.condition(Conditions.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void aFleetFieldOverridesTheTemplates() {
    LoopHarness h = fromTemplate(1, "1");
    h.editSpec(s -> s.getTemplate().setInstanceType("m5.large"));
    h.runUntilStable(40, STEP);

    assertThat(h.runRequests()).allSatisfy(r -> assertThat(r.instanceType()).isEqualTo("m5.large"));
    assertThat(h.liveInstances())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.instanceType()).isEqualTo("m5.large");
              assertThat(i.imageId()).isEqualTo(AMI_1);
            });
  }

  @Test
  void aNewLatestVersionIsANewRevisionAndARolloutAfterTheNextRefresh() {
    LoopHarness h = fromTemplate(2, "$Latest");
    h.runUntilStable(40, STEP);
    String before = h.status().getCurrentRevision();
    Set<String> oldIds = ids(h);

    h.fake.launchTemplates.addVersion(templateId(h), AMI_2, "t3.small");
    h.runUntilStable(40, STEP);
    assertThat(h.status().getCurrentRevision()).as("not before the refresh").isEqualTo(before);

    h.clock.advance(REFRESH);
    h.runUntilStable(80, STEP);

    assertThat(h.status().getCurrentRevision()).isNotEqualTo(before);
    assertThat(h.status().getLaunchTemplate().version()).isEqualTo(2L);
    assertThat(h.liveInstances())
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.imageId()).isEqualTo(AMI_2);
              assertThat(i.tag(OwnershipTags.REVISION)).isEqualTo(h.status().getCurrentRevision());
              assertThat(oldIds).doesNotContain(i.id());
            });
    assertThat(h.writes)
        .as("every status write shows the version, the intents-first one too")
        .allSatisfy(w -> assertThat(w.getLaunchTemplate()).isNotNull());
    assertThat(h.revisions().values())
        .as("the history pins the version each revision launched")
        .extracting(r -> r.data().template().getLaunchTemplate().getVersion())
        .containsExactlyInAnyOrder("1", "2");
  }

  @Test
  void undoToTheFirstRevisionPinsItsVersionInsteadOfLatest() {
    LoopHarness h = fromTemplate(2, "$Latest");
    h.runUntilStable(40, STEP);
    String first = h.status().getCurrentRevision();
    h.fake.launchTemplates.addVersion(templateId(h), AMI_2, "t3.small");
    h.clock.advance(REFRESH);
    h.runUntilStable(80, STEP);
    assertThat(h.status().getLaunchTemplate().version()).isEqualTo(2L);

    h.annotate(ServerFleet.ROLLBACK_TO, "0");
    h.runUntilStable(80, STEP);

    assertThat(h.fleet().getSpec().getTemplate().getLaunchTemplate().getVersion())
        .as("the number the revision launched, not $Latest (which is 2)")
        .isEqualTo("1");
    assertThat(h.status().getCurrentRevision()).isEqualTo(first);
    assertThat(h.status().getLaunchTemplate().version()).isEqualTo(1L);
    assertThat(h.liveInstances())
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(AMI_1));
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(Rollbacks.ROLLED_BACK))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .contains(
                        "to revision 1 ("
                            + first
                            + ", launch template "
                            + templateId(h)
                            + " version 1)"));
  }

  @Test
  void aNewDefaultVersionWaitsWhilePaused() {
    LoopHarness h = fromTemplate(2, "$Default");
    h.runUntilStable(40, STEP);
    Set<String> oldIds = ids(h);
    int runs = h.runRequests().size();
    h.editSpec(s -> s.setPaused(true));
    h.runUntilStable(40, STEP);

    h.fake.launchTemplates.addVersion(templateId(h), AMI_2, "t3.small");
    h.fake.launchTemplates.setDefault(templateId(h), 2);
    h.clock.advance(REFRESH);
    h.runUntilStable(40, STEP);

    assertThat(h.status().getLaunchTemplate().version()).isEqualTo(2L);
    assertThat(h.status().getUpdatedReplicas()).as("a new revision").isZero();
    assertThat(ids(h)).as("paused: nothing replaced").isEqualTo(oldIds);
    assertThat(h.runRequests()).hasSize(runs);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();

    h.editSpec(s -> s.setPaused(false));
    h.runUntilStable(80, STEP);
    assertThat(h.liveInstances())
        .hasSize(2)
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(AMI_2));
  }

  @Test
  void aMissingTemplateIsDegradedLaunchesNothingAndIsAskedOncePerRefresh() {
    LoopHarness h = new LoopHarness(2);
    h.useLaunchTemplates(REFRESH);
    h.editSpec(s -> useTemplate(s, null, "no-such-template", "$Latest"));
    h.runUntilStable(40, STEP);

    assertThat(h.runRequests()).isEmpty();
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(LaunchTemplateGate.REASON);
              assertThat(c.getMessage())
                  .contains("spec.template.launchTemplate", "no-such-template")
                  .contains("InvalidLaunchTemplateName.NotFoundException");
            });
    assertThat(h.events).filteredOn(e -> e.type().equals("Warning")).hasSize(1);
    assertThat(h.fake.launchTemplates.describeCalls()).isEqualTo(1);

    h.clock.advance(REFRESH);
    h.runUntilStable(40, STEP);
    assertThat(h.fake.launchTemplates.describeCalls()).as("once per refresh").isEqualTo(2);
    assertThat(h.events).as("the same message: no new event").hasSize(1);

    h.fake.launchTemplates.create("no-such-template", AMI_1, "t3.micro");
    h.clock.advance(REFRESH);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(2);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aTemplateDeletedUnderARunningFleetTerminatesNothing() {
    LoopHarness h = fromTemplate(3, "$Latest");
    h.runUntilStable(40, STEP);
    Set<String> running = ids(h);

    h.fake.launchTemplates.delete(templateId(h));
    h.scale(1);
    h.clock.advance(REFRESH);
    h.runUntilStable(40, STEP);

    assertThat(ids(h)).as("held: not even scale-in").isEqualTo(running);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.condition(Conditions.DEGRADED).getMessage())
        .contains(templateId(h), "InvalidLaunchTemplateId.NotFound");
  }

  @Test
  void aTransientErrorKeepsTheLastGoodVersion() {
    LoopHarness h = fromTemplate(2, "$Latest");
    h.runUntilStable(40, STEP);
    String revision = h.status().getCurrentRevision();

    h.fake.launchTemplates.failNext(
        ErrorClassifier.fromCode(
            "DescribeLaunchTemplateVersions", "RequestLimitExceeded", "slow down", 503));
    h.clock.advance(REFRESH);
    h.scale(3);
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.status().getCurrentRevision()).isEqualTo(revision);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aVersionWithoutAnImageWhereTheFleetSetsNoneHolds() {
    LoopHarness h = new LoopHarness(1);
    String id = h.fake.launchTemplates.create("bare", null, "t3.micro");
    h.useLaunchTemplates(REFRESH);
    h.editSpec(s -> useTemplate(s, id, null, null));
    h.runUntilStable(40, STEP);

    assertThat(h.runRequests()).isEmpty();
    assertThat(h.condition(Conditions.DEGRADED).getMessage())
        .isEqualTo(
            "spec.template.amiId is not set and launch template bare ("
                + id
                + ") version 1 sets no image");
  }

  private static Set<String> ids(LoopHarness h) {
    return h.liveInstances().stream().map(Instance::id).collect(Collectors.toSet());
  }
}
