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
import org.junit.jupiter.api.Test;

/**
 * lifecycle.readinessGate.ssmCommand / .webhook as the planner sees them: an instance is ready only
 * once the gate stage recorded it as passed (PlanInput.gatePassed).
 */
class CallGateTest {
  private static PlanFixtures.PolicyBuilder gatedPolicy() {
    return policy().rolling(1, 0).callGate().grace(Duration.ofMinutes(5));
  }

  @Test
  void readyOnlyOncePassed() {
    Instance waiting = running("i-1", "subnet-a", T0.minusSeconds(60));
    Instance through = running("i-2", "subnet-a", T0.minusSeconds(60));
    InstanceChecks view =
        new InstanceChecks(
            input()
                .replicas(2)
                .policy(gatedPolicy())
                .instances(waiting, through)
                .gatePassed("i-2")
                .build());
    assertThat(view.ready(waiting)).isFalse();
    assertThat(view.available(waiting)).isFalse();
    assertThat(view.ready(through)).isTrue();
  }

  @Test
  void withoutACallGateThePassedSetIsNotRead() {
    Instance i = running("i-1", "subnet-a", T0.minusSeconds(60));
    InstanceChecks view =
        new InstanceChecks(input().replicas(1).policy(policy().rolling(1, 0)).instances(i).build());
    assertThat(view.ready(i)).isTrue();
  }

  @Test
  void aRolloutKeepsTheOldInstanceUntilItsReplacementPassed() {
    Instance old = revision(running("o-1", "subnet-a", T0.minus(Duration.ofHours(1))), OLD_REV);
    Instance fresh = running("n-1", "subnet-a", T0.minusSeconds(60));
    Plan waiting =
        FleetPlanner.plan(
            input()
                .replicas(1)
                .policy(gatedPolicy())
                .instances(old, fresh)
                .gatePassed("o-1")
                .build());
    assertThat(waiting.terminations()).isEmpty();
    Plan through =
        FleetPlanner.plan(
            input()
                .replicas(1)
                .policy(gatedPolicy())
                .instances(old, fresh)
                .gatePassed("o-1", "n-1")
                .build());
    assertThat(through.terminations()).extracting(Termination::instanceId).containsExactly("o-1");
  }

  @Test
  void notPassedWithinTheGraceIsUnhealthy() {
    Instance stuck = running("i-1", "subnet-a", T0.minus(Duration.ofMinutes(6)));
    Instance young = running("i-2", "subnet-a", T0.minus(Duration.ofMinutes(4)));
    Instance passedLate = running("i-3", "subnet-a", T0.minus(Duration.ofMinutes(20)));
    InstanceChecks view =
        new InstanceChecks(
            input()
                .replicas(3)
                .policy(gatedPolicy())
                .instances(stuck, young, passedLate)
                .gatePassed("i-3")
                .build());
    assertThat(view.unhealthy(stuck)).isTrue();
    assertThat(view.unhealthy(young)).isFalse();
    assertThat(view.unhealthy(passedLate)).isFalse();
  }
}
