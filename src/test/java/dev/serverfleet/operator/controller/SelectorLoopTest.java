package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.NEW_AMI;
import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static dev.serverfleet.operator.controller.LoopScenarios.assertConverged;
import static dev.serverfleet.operator.controller.LoopScenarios.ids;
import static dev.serverfleet.operator.controller.LoopScenarios.rolling;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.AmiSelector;
import dev.serverfleet.operator.api.v1alpha1.ResolvedSubnet;
import dev.serverfleet.operator.api.v1alpha1.TagSelector;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.cloud.FakeLaunchLookups;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.selection.LaunchResolver;
import dev.serverfleet.operator.selection.SelectorCache;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A fleet whose AMI and subnets come from selectors, on the loop with the in-memory fakes: the
 * resolved AMI is the revision (a new parameter value rolls the fleet, not while paused), a subnet
 * that leaves the selection is drained launch-first, and a selector that matches nothing holds the
 * fleet Degraded without touching an instance.
 */
class SelectorLoopTest {
  static final String PARAM = "/serverfleet/web/ami";
  static final Duration PERIOD = Duration.ofMinutes(5);
  static final Map<String, String> WEB = Map.of("tier", "web");

  final LoopHarness h = new LoopHarness(3);
  final FakeLaunchLookups aws =
      new FakeLaunchLookups()
          .parameter(PARAM, LoopHarness.AMI)
          .subnet("subnet-a", "us-east-1a", WEB)
          .subnet("subnet-b", "us-east-1b", WEB)
          .subnet("subnet-c", "us-east-1c", WEB)
          .subnet("subnet-d", "us-east-1d", Map.of("tier", "db"));

  SelectorLoopTest() {
    h.useResolver(new LaunchResolver(aws, new SelectorCache(h.clock, PERIOD)));
    h.editSpec(
        s -> {
          AmiSelector ami = new AmiSelector();
          ami.setSsmParameter(PARAM);
          s.getTemplate().setAmiId(null);
          s.getTemplate().setAmiSelector(ami);
          s.getTemplate().setSubnetIds(null);
          s.getTemplate().setSubnetSelector(new TagSelector(WEB));
          s.setStrategy(rolling(1, 0));
        });
  }

  @Test
  void aFleetBySsmParameterAndSubnetTagsConvergesAndShowsWhatItResolved() {
    h.runUntilStable(60, STEP);

    assertConverged(h, 3);
    assertThat(h.liveInstances())
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(LoopHarness.AMI))
        .extracting(Instance::subnetId)
        .containsExactlyInAnyOrder("subnet-a", "subnet-b", "subnet-c");
    assertThat(h.status().getResolvedAmiId()).isEqualTo(LoopHarness.AMI);
    assertThat(h.status().getSubnets())
        .containsExactly(
            new ResolvedSubnet("subnet-a", "us-east-1a"),
            new ResolvedSubnet("subnet-b", "us-east-1b"),
            new ResolvedSubnet("subnet-c", "us-east-1c"));
    assertThat(aws.calls("GetParameter")).as("one lookup, however many passes").isEqualTo(1);
  }

  @Test
  void aNewParameterValueIsANewRevisionAndARolloutHeldWhilePaused() {
    h.runUntilStable(60, STEP);
    String before = h.status().getCurrentRevision();
    Set<String> oldIds = ids(h.liveInstances());

    h.editSpec(s -> s.setPaused(true));
    h.runUntilStable(60, STEP);
    long generation = h.fleet().getMetadata().getGeneration();
    aws.parameter(PARAM, NEW_AMI);
    h.clock.advance(PERIOD);
    h.runUntilStable(60, STEP);

    assertThat(h.fleet().getMetadata().getGeneration())
        .as("the spec did not change: the image did")
        .isEqualTo(generation);
    assertThat(h.status().getResolvedAmiId()).isEqualTo(NEW_AMI);
    assertThat(h.status().getCurrentRevision()).isNotEqualTo(before);
    assertThat(ids(h.liveInstances())).as("paused: nothing replaced").isEqualTo(oldIds);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.condition(Conditions.PROGRESSING).getReason()).isEqualTo("Paused");

    h.editSpec(s -> s.setPaused(false));
    h.runUntilStable(80, STEP);

    assertConverged(h, 3);
    assertThat(h.liveInstances()).allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));
  }

  @Test
  void aSubnetThatLeavesTheSelectionIsDrainedLaunchFirst() {
    h.runUntilStable(60, STEP);
    Instance inC =
        h.liveInstances().stream().filter(i -> i.subnetId().equals("subnet-c")).findFirst().get();
    String revision = h.status().getCurrentRevision();

    aws.subnet("subnet-c", "us-east-1c", Map.of("tier", "retired"));
    h.clock.advance(PERIOD);
    h.runUntilStable(60, STEP);

    assertThat(h.liveInstances())
        .hasSize(3)
        .extracting(Instance::subnetId)
        .doesNotContain("subnet-c")
        .containsOnly("subnet-a", "subnet-b");
    assertThat(h.status().getSubnets())
        .extracting(ResolvedSubnet::id)
        .containsExactly("subnet-a", "subnet-b");
    assertThat(h.status().getCurrentRevision())
        .as("placement is not a revision")
        .isEqualTo(revision);
    int launched = h.firstIndexOf(FakeEc2.RUN);
    List<LoopHarness.Entry> runs = h.entries(FakeEc2.RUN);
    LoopHarness.Entry terminate =
        h.entries(FakeEc2.TERMINATE).stream()
            .filter(e -> e.detail().contains(inC.id()))
            .findFirst()
            .orElseThrow();
    assertThat(launched).isGreaterThanOrEqualTo(0);
    assertThat(runs.get(runs.size() - 1).seq())
        .as("the replacement is launched before the drained instance goes")
        .isLessThan(terminate.seq());
  }

  @Test
  void aSelectorThatMatchesNothingHoldsTheFleetDegradedAndTouchesNoInstance() {
    h.runUntilStable(60, STEP);
    Set<String> before = ids(h.liveInstances());
    int runs = h.entries(FakeEc2.RUN).size();

    aws.subnet("subnet-a", "us-east-1a", Map.of()).subnet("subnet-b", "us-east-1b", Map.of());
    aws.subnet("subnet-c", "us-east-1c", Map.of());
    h.clock.advance(PERIOD);
    h.scale(5);
    int lookupsBefore = aws.calls("DescribeSubnets");
    int passesBefore = h.passes();
    LoopScenarios.passTime(h, Duration.ofMinutes(3), x -> {});

    assertThat(ids(h.liveInstances())).isEqualTo(before);
    assertThat(h.entries(FakeEc2.RUN)).hasSize(runs);
    assertThat(h.entries(FakeEc2.TERMINATE)).isEmpty();
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo(SelectorSteps.REASON))
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .isEqualTo(
                        "spec.template.subnetSelector (tags={tier=web}): no subnet carries these tags"));
    assertThat(h.status().getObservedGeneration())
        .as("the new generation was observed, and held")
        .isEqualTo(h.fleet().getMetadata().getGeneration());
    assertThat(h.events)
        .filteredOn(e -> e.reason().equals(SelectorSteps.REASON))
        .singleElement()
        .satisfies(e -> assertThat(e.type()).isEqualTo("Warning"));
    assertThat(aws.calls("DescribeSubnets") - lookupsBefore)
        .as("in 3 minutes, one lookup per failure retry (30 s), not a hot loop")
        .isBetween(1, 7);
    assertThat(h.passes() - passesBefore)
        .as("nor a hot loop of passes: one per retry, and the scale event's")
        .isBetween(1, 8);
    int lookups = aws.calls("DescribeSubnets");

    aws.subnet("subnet-a", "us-east-1a", WEB);
    h.clock.advance(SelectorCache.MAX_FAILURE_RETRY);
    h.runUntilStable(60, STEP);
    assertThat(h.liveInstances()).extracting(Instance::subnetId).contains("subnet-a");
    assertThat(aws.calls("DescribeSubnets")).isEqualTo(lookups + 1);
    assertThat(h.liveInstances()).hasSize(5);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void whatASelectorResolvedToIsHeldToTheClass() {
    h.useClasses(
        new FleetClasses() {
          @Override
          public java.util.Collection<dev.serverfleet.operator.api.v1alpha1.ServerFleetClass>
              classes() {
            return List.of(ClassPolicyLoopTest.gold(LoopHarness.AMI));
          }

          @Override
          public java.util.Collection<dev.serverfleet.operator.api.v1alpha1.ServerFleet> fleetsIn(
              String namespace) {
            return List.of(h.fleet());
          }
        });
    h.editSpec(s -> s.setClassName("gold"));
    h.runUntilStable(60, STEP);
    assertConverged(h, 3);
    Set<String> before = ids(h.liveInstances());

    aws.parameter(PARAM, NEW_AMI);
    h.clock.advance(PERIOD);
    h.runUntilStable(60, STEP);

    assertThat(ids(h.liveInstances())).as("no launch of the refused image").isEqualTo(before);
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo(ClassPolicy.REASON))
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .isEqualTo(
                        "spec.template.amiSelector: "
                            + NEW_AMI
                            + " is not allowed by ServerFleetClass gold"));
  }

  @Test
  void anUndoReturnsToTheImageThatRanNotToWhatTheSelectorFindsNow() {
    h.runUntilStable(60, STEP);
    aws.parameter(PARAM, NEW_AMI);
    h.clock.advance(PERIOD);
    h.runUntilStable(80, STEP);
    assertThat(h.liveInstances()).allSatisfy(i -> assertThat(i.imageId()).isEqualTo(NEW_AMI));

    h.annotate(dev.serverfleet.operator.api.v1alpha1.ServerFleet.ROLLBACK_TO, "0");
    h.runUntilStable(80, STEP);

    assertThat(h.fleet().getSpec().getTemplate().getAmiId())
        .as("the revision stored the AMI it resolved to")
        .isEqualTo(LoopHarness.AMI);
    assertThat(h.fleet().getSpec().getTemplate().getAmiSelector()).isNull();
    assertThat(h.fleet().getSpec().getTemplate().getSubnetSelector())
        .as("placement stays the fleet's own")
        .isNotNull();
    assertConverged(h, 3);
    assertThat(h.liveInstances())
        .allSatisfy(i -> assertThat(i.imageId()).isEqualTo(LoopHarness.AMI));
  }
}
