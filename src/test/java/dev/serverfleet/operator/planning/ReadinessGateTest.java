package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.revision;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lifecycle.readinessGate.tag: a running instance is ready only once it carries the tag;
 * minReadySeconds counts from then (readySince is first recorded when it is seen ready); one that
 * has not passed within the health grace period is replaced.
 */
class ReadinessGateTest {
  private static PlanFixtures.PolicyBuilder gatedPolicy() {
    return policy().rolling(1, 0).readyTag("app/ready", "true").grace(Duration.ofMinutes(5));
  }

  private static Instance gated(Instance i) {
    return PlanFixtures.withTag(i, "app/ready", "true");
  }

  @Test
  void untaggedIsNeitherReadyNorAvailableTaggedIs() {
    Instance waiting = running("i-1", "subnet-a", T0.minusSeconds(60));
    Instance through = gated(running("i-2", "subnet-a", T0.minusSeconds(60)));
    Instance wrongValue = PlanFixtures.withTag(running("i-3", "subnet-a", T0), "app/ready", "no");
    PlanInput in =
        input().replicas(3).policy(gatedPolicy()).instances(waiting, through, wrongValue).build();
    InstanceChecks view = new InstanceChecks(in);

    assertThat(view.ready(waiting)).isFalse();
    assertThat(view.available(waiting)).isFalse();
    assertThat(view.ready(wrongValue)).isFalse();
    assertThat(view.ready(through)).isTrue();
    assertThat(view.available(through)).isTrue();
  }

  @Test
  void minReadySecondsCountsFromTheGate() {
    Instance through = gated(running("i-1", "subnet-a", T0.minus(Duration.ofHours(1))));
    PlanInput in =
        input()
            .replicas(1)
            .policy(gatedPolicy().minReady(Duration.ofSeconds(30)))
            .instances(through)
            .readySince("i-1", T0.minusSeconds(10))
            .build();
    assertThat(new InstanceChecks(in).available(through))
        .as("launched an hour ago, through the gate 10 s ago")
        .isFalse();
  }

  @Test
  void aRolloutKeepsTheOldInstanceUntilItsReplacementPassedTheGate() {
    Instance old =
        gated(revision(running("o-1", "subnet-a", T0.minus(Duration.ofHours(1))), OLD_REV));
    Instance fresh = running("n-1", "subnet-a", T0.minusSeconds(60));
    Plan waiting =
        FleetPlanner.plan(input().replicas(1).policy(gatedPolicy()).instances(old, fresh).build());
    assertThat(waiting.terminations()).isEmpty();
    assertThat(waiting.newLaunches()).isEmpty();

    Plan through =
        FleetPlanner.plan(
            input().replicas(1).policy(gatedPolicy()).instances(old, gated(fresh)).build());
    assertThat(through.terminations()).extracting(Termination::instanceId).containsExactly("o-1");
  }

  @Test
  void anInstanceThatNeverPassesTheGateIsReplacedAfterTheGracePeriod() {
    Instance stuck = running("i-1", "subnet-a", T0.minus(Duration.ofMinutes(6)));
    Instance young = running("i-2", "subnet-a", T0.minus(Duration.ofMinutes(4)));
    Plan plan =
        FleetPlanner.plan(
            input()
                .replicas(2)
                .policy(gatedPolicy().maxUnhealthy(100))
                .instances(stuck, young)
                .build());
    assertThat(plan.terminations())
        .extracting(Termination::instanceId, Termination::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("i-1", Termination.Reason.UNHEALTHY));
    assertThat(plan.newLaunches().stream().mapToInt(Launch::count).sum()).isEqualTo(1);
  }

  @Test
  void withoutAGateNothingChanges() {
    Instance plain = running("i-1", "subnet-a", T0.minus(Duration.ofHours(1)));
    PlanInput in = input().replicas(1).policy(policy()).instances(plain).build();
    assertThat(new InstanceChecks(in).ready(plain)).isTrue();
    assertThat(FleetPlanner.plan(in).isEmpty()).isTrue();
    assertThat(List.of(plain)).allMatch(new InstanceChecks(in)::gated);
  }
}
