package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.T0;
import static dev.serverfleet.operator.planning.PlanFixtures.input;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static dev.serverfleet.operator.planning.PlanFixtures.policy;
import static dev.serverfleet.operator.planning.PlanFixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.Interruption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A steady fleet of available instances, some of them doomed, under any valid maintenance policy
 * and rollout surge: the planner replaces each doomed instance at most once, stays within the
 * policy's ceiling and floor, and terminates only doomed instances.
 */
class InterruptionPropertiesTest {
  private static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");

  @Property(tries = 1000)
  void replacesWithinTheMaintenancePolicy(
      @ForAll @IntRange(min = 1, max = 30) int replicas,
      @ForAll @IntRange(min = 0, max = 30) int doomedCount,
      @ForAll @IntRange(min = 0, max = 100) int min,
      @ForAll @IntRange(min = 100, max = 200) int max,
      @ForAll @IntRange(min = 0, max = 3) int maxSurge,
      @ForAll @IntRange(min = 0, max = 30) int replacementsAvailable) {
    Assume.that(max - min <= 100 && !(min == 100 && max == 100));
    int doomedN = Math.min(doomedCount, replicas);
    int extra = Math.min(replacementsAvailable, doomedN);
    List<Instance> instances = new ArrayList<>();
    for (int n = 0; n < replicas + extra; n++) {
      instances.add(
          running("i-" + n, SUBNETS.get(n % 3), minutesAgo(60 - (n >= replicas ? 55 : 0))));
    }
    Map<String, Interruption> doomed = new HashMap<>();
    for (int n = 0; n < doomedN; n++) {
      doomed.put(
          "i-" + n,
          new Interruption(
              Interruption.Kind.SPOT_INTERRUPTION, T0.plus(Duration.ofMinutes(2)), ""));
    }
    Maintenance policy = new Maintenance(min, max);
    PlanInput in =
        input()
            .replicas(replicas)
            .subnets(SUBNETS)
            .instances(instances)
            .policy(policy().rolling(maxSurge, 0))
            .build()
            .withInterruptions(new Interruptions(doomed, policy));

    Plan plan = FleetPlanner.plan(in);

    int launches = plan.launches().stream().mapToInt(Launch::count).sum();
    int live = instances.size();
    // Not counted twice: at most one replacement per doomed instance not yet replaced.
    assertThat(launches).isLessThanOrEqualTo(Math.max(0, doomedN - extra));
    if (doomedN > 0) {
      assertThat(live + launches).isLessThanOrEqualTo(Math.max(live, policy.maxTotal(replicas)));
    }
    Set<String> terminated =
        plan.terminations().stream().map(Termination::instanceId).collect(Collectors.toSet());
    assertThat(plan.terminations())
        .allSatisfy(t -> assertThat(t.reason()).isEqualTo(Termination.Reason.INTERRUPTED));
    assertThat(doomed.keySet()).containsAll(terminated);
    int availableAfter = live - terminated.size();
    assertThat(availableAfter)
        .as("available instances stay at the floor or above")
        .isGreaterThanOrEqualTo(Math.min(live, policy.minHealthy(replicas)));
    // Progress: a doomed instance left in place is waiting for room, never forgotten.
    if (terminated.size() < doomedN && launches == 0) {
      assertThat(availableAfter - 1).isLessThan(policy.minHealthy(replicas));
    }
  }
}
