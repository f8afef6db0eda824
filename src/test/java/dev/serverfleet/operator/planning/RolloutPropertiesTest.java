package dev.serverfleet.operator.planning;

import static dev.serverfleet.operator.planning.PlanFixtures.OLD_REV;
import static dev.serverfleet.operator.planning.PlanFixtures.minutesAgo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A fleet converged on revision A gets template B, under any rolling-update bounds (integers or
 * percentages), minReadySeconds and scale-down order, while instances die on their own between
 * plans. Plans are applied to {@link RolloutSim}'s ideal cloud, which also checks each plan's own
 * bounds.
 */
class RolloutPropertiesTest {
  private static final List<String> SUBNETS = List.of("subnet-a", "subnet-b", "subnet-c");

  /** An instance dies on its own before the plan of this step: terminated, or stopped. */
  record Failure(int step, int pick, boolean stopped) {}

  @Property(tries = 300)
  void aRollingUpdateStaysWithinItsBoundsAndConverges(
      @ForAll @IntRange(min = 1, max = 10) int replicas,
      @ForAll @IntRange(min = 1, max = 3) int subnets,
      @ForAll("bound") Object maxSurge,
      @ForAll("bound") Object maxUnavailable,
      @ForAll("minReadySeconds") int minReadySeconds,
      @ForAll boolean oldestFirst,
      @ForAll @Size(max = 4) List<@From("failure") Failure> failures) {
    Assume.that(!(isZero(maxSurge) && isZero(maxUnavailable))); // refused by the CRD
    PlanFixtures.PolicyBuilder policy =
        PlanFixtures.policy().minReady(Duration.ofSeconds(minReadySeconds));
    if (oldestFirst) {
      policy.oldestFirst();
    }
    RolloutSim sim =
        convergedOnA(replicas, subnets).bounds(maxSurge, maxUnavailable).policy(policy);
    RolloutBounds bounds = RolloutBounds.resolve(maxSurge, maxUnavailable, replicas);
    int ceiling = replicas + bounds.maxSurge();
    int floor = replicas - bounds.maxUnavailable();

    int availableAfterFailures = replicas;
    int steps = maxSteps(replicas, failures, minReadySeconds);
    for (int step = 0; step < steps; step++) {
      int available = sim.available();
      assertThat(available)
          .as("available at step %d, before this step's failures", step)
          .isGreaterThanOrEqualTo(Math.min(floor, availableAfterFailures));
      if (failures.isEmpty()) {
        assertThat(available)
            .as("available at step %d without failures", step)
            .isGreaterThanOrEqualTo(floor);
      }
      inject(sim, failures, step);
      availableAfterFailures = sim.available();
      int live = sim.live().size();
      assertThat(live).as("live at step %d", step).isLessThanOrEqualTo(ceiling);

      sim.step(); // checks the plan's own bounds too

      assertThat(sim.live())
          .as("live + launching after the plan of step %d", step)
          .hasSizeLessThanOrEqualTo(ceiling);
      if (sim.settled() && step >= lastFailure(failures)) {
        assertConvergedOnB(sim, replicas);
        return;
      }
    }
    throw new AssertionError("no convergence in " + steps + " steps: " + sim.live());
  }

  @Property(tries = 200)
  void aRecreateConverges(
      @ForAll @IntRange(min = 0, max = 10) int replicas,
      @ForAll @IntRange(min = 1, max = 3) int subnets,
      @ForAll("minReadySeconds") int minReadySeconds,
      @ForAll @Size(max = 4) List<@From("failure") Failure> failures) {
    RolloutSim sim =
        convergedOnA(replicas, subnets)
            .policy(PlanFixtures.policy().recreate().minReady(Duration.ofSeconds(minReadySeconds)));

    int steps = maxSteps(replicas, failures, minReadySeconds);
    for (int step = 0; step < steps; step++) {
      inject(sim, failures, step);
      sim.step(); // checks that nothing new is launched while an old instance is live
      if (sim.settled() && step >= lastFailure(failures)) {
        assertConvergedOnB(sim, replicas);
        return;
      }
    }
    throw new AssertionError("no convergence in " + steps + " steps: " + sim.live());
  }

  // ---- helpers ----

  /** {@code replicas} running instances of revision A, spread evenly, ready for an hour. */
  @Property(tries = 200)
  void checkpointsCapTheNewRevisionHoldForTheirBakeTimeAndTheRolloutCompletes(
      @ForAll @IntRange(min = 1, max = 30) int replicas,
      @ForAll @IntRange(min = 1, max = 3) int subnets,
      @ForAll("bound") Object maxSurge,
      @ForAll("bound") Object maxUnavailable,
      @ForAll @Size(min = 1, max = 3) java.util.Set<@IntRange(min = 1, max = 99) Integer> points,
      @ForAll @IntRange(min = 0, max = 3) int bakeSteps) {
    Assume.that(!(isZero(maxSurge) && isZero(maxUnavailable)));
    Duration bake = RolloutSim.STEP.multipliedBy(bakeSteps);
    RolloutSim sim =
        convergedOnA(replicas, subnets)
            .bounds(maxSurge, maxUnavailable)
            .checkpoints(new CheckpointGate.Spec(List.copyOf(points), java.util.Optional.of(bake)));
    Map<Integer, Integer> heldSteps = new LinkedHashMap<>();
    sim.then(
        x -> {
          long fresh =
              x.live().stream().filter(i -> !OLD_REV.equals(i.tag(OwnershipTags.REVISION))).count();
          assertThat(fresh)
              .as("new-revision instances within the cap %d", x.gate().cap())
              .isLessThanOrEqualTo(x.gate().cap());
          x.gate().hold().ifPresent(h -> heldSteps.merge(h.percentage(), 1, Integer::sum));
        });
    sim.run(400);
    assertConvergedOnB(sim, replicas);
    for (int p : points) {
      boolean aCheckpoint = CheckpointGate.instancesFor(p, replicas) < replicas;
      if (aCheckpoint && bakeSteps > 0) {
        assertThat(heldSteps.getOrDefault(p, 0))
            .as("steps held at %d%% of %d (bake %s)", p, replicas, bake)
            .isGreaterThanOrEqualTo(bakeSteps);
      } else if (!aCheckpoint) {
        assertThat(heldSteps).as("%d%% of %d is the whole fleet", p, replicas).doesNotContainKey(p);
      }
    }
  }

  private static RolloutSim convergedOnA(int replicas, int subnets) {
    List<String> listed = SUBNETS.subList(0, subnets);
    RolloutSim sim = new RolloutSim(replicas, listed.toArray(String[]::new));
    for (int n = 0; n < replicas; n++) {
      sim.add(
          PlanFixtures.revision(
              PlanFixtures.running("a-" + n, listed.get(n % subnets), minutesAgo(60 + n)),
              OLD_REV));
    }
    return sim;
  }

  private static void inject(RolloutSim sim, List<Failure> failures, int step) {
    for (Failure f : failures) {
      List<Instance> live = sim.live();
      if (f.step() == step && !live.isEmpty()) {
        Instance victim = live.get(f.pick() % live.size());
        sim.fail(victim.id(), f.stopped() ? InstanceState.STOPPED : InstanceState.TERMINATED);
      }
    }
  }

  /**
   * Generous but finite: every instance replaced one at a time (launch, pending, minReady, then the
   * old one goes), each failure replaced likewise, and a rebalance round per instance.
   */
  private static int maxSteps(int replicas, List<Failure> failures, int minReadySeconds) {
    long minReadySteps =
        (minReadySeconds + RolloutSim.STEP.toSeconds() - 1) / RolloutSim.STEP.toSeconds();
    return lastFailure(failures)
        + 1
        + (int) ((2L * replicas + failures.size() + 2) * (4 + minReadySteps));
  }

  private static int lastFailure(List<Failure> failures) {
    return failures.stream().mapToInt(Failure::step).max().orElse(0);
  }

  private static void assertConvergedOnB(RolloutSim sim, int replicas) {
    List<Instance> live = sim.live();
    assertThat(live)
        .as("live at the end")
        .hasSize(replicas)
        .allSatisfy(
            i -> {
              assertThat(i.state()).isEqualTo(InstanceState.RUNNING);
              assertThat(i.tag(OwnershipTags.REVISION)).isEqualTo(PlanFixtures.REV);
            });
    assertThat(sim.lastPlan().intents()).isEmpty();
    Map<String, Integer> perSubnet = new LinkedHashMap<>();
    sim.input().subnetIds().forEach(s -> perSubnet.put(s, 0));
    live.forEach(i -> perSubnet.merge(i.subnetId(), 1, Integer::sum));
    int max = perSubnet.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    int min = perSubnet.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    assertThat(max - min).as("balance of %s", perSubnet).isLessThanOrEqualTo(1);
  }

  private static boolean isZero(Object bound) {
    return bound.equals(0) || bound.equals("0%");
  }

  @Provide
  Arbitrary<Object> bound() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 3).map(i -> (Object) i),
        Arbitraries.of(0, 10, 25, 33, 50, 100).map(p -> (Object) (p + "%")),
        Arbitraries.integers().between(0, 100).map(p -> (Object) (p + "%")));
  }

  @Provide
  Arbitrary<Integer> minReadySeconds() {
    return Arbitraries.of(0, 0, 20, 30, 75);
  }

  @Provide
  Arbitrary<Failure> failure() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 24),
            Arbitraries.integers().between(0, 99),
            Arbitraries.of(true, false))
        .as(Failure::new);
  }
}
