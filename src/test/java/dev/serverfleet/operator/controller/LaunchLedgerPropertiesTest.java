package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeEc2;
import dev.serverfleet.operator.planning.PlanInput;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The ledger's promise under any interleaving of faults, crashes and visibility lags, against the
 * in-memory EC2 (idempotent client tokens, as AWS): a scale-up from nothing launches every instance
 * exactly once, and the fleet converges to exactly its replicas. A duplicate launch would show as
 * an instance beyond the replicas in EC2's full history.
 */
class LaunchLedgerPropertiesTest {
  private static final Duration STEP = Duration.ofSeconds(5);

  enum Fault {
    NONE,
    LOSE_ANSWER,
    THROTTLE,
    INTERNAL_ERROR_BEFORE,
    CRASH_AFTER_WRITE,
    RESTART,
    SCALE_TO_ZERO_AND_BACK
  }

  @Provide
  Arbitrary<List<Fault>> faults() {
    return Arbitraries.of(Fault.class).list().ofMinSize(1).ofMaxSize(12);
  }

  @Property(tries = 300)
  void aScaleUpUnderAnyFaultsLaunchesEachInstanceOnceAndConverges(
      @ForAll @IntRange(min = 1, max = 9) int replicas,
      @ForAll("faults") List<Fault> faults,
      @ForAll @IntRange(min = 0, max = 90) int visibilitySeconds) {
    LoopHarness h =
        new LoopHarness(0, new PlanInput.Timing(Duration.ofSeconds(30), Duration.ofMinutes(5)));
    h.fake.setVisibilityDelay(Duration.ofSeconds(visibilitySeconds));
    h.poll();
    h.step();
    h.scale(replicas);
    boolean emptied = false;
    for (Fault fault : faults) {
      switch (fault) {
        case LOSE_ANSWER -> h.loseRunResponses(1);
        case THROTTLE -> h.fake.throttleNext(FakeEc2.RUN, 1);
        case INTERNAL_ERROR_BEFORE ->
            h.fake.injectNext(
                FakeEc2.RUN,
                ErrorClassifier.fromCode(
                    FakeEc2.RUN, "InternalError", "An internal error has occurred", 500));
        case CRASH_AFTER_WRITE -> h.crashAfterNextWrite();
        case RESTART -> h.restart();
        case SCALE_TO_ZERO_AND_BACK -> emptied = true;
        case NONE -> {}
      }
      pass(h);
      if (fault == Fault.SCALE_TO_ZERO_AND_BACK) {
        h.scale(0);
        pass(h);
        h.scale(replicas);
      }
      h.clock.advance(STEP);
    }
    for (int n = 0; n < 200 && !(settled(h, replicas)); n++) {
      pass(h);
      h.clock.advance(STEP);
    }

    LoopScenarios.assertConverged(h, replicas);
    if (!emptied) {
      assertThat(h.fake.instances()).as("every instance EC2 ever launched").hasSize(replicas);
    }
    assertThat(h.runRequests().stream().map(r -> r.clientToken()).distinct().count())
        .as("tokens used")
        .isLessThanOrEqualTo(h.fake.instances().size());
  }

  /** A sweep and, when due, a reconcile; a crash restarts the operator as a new process would. */
  private static void pass(LoopHarness h) {
    h.poll();
    if (!h.due()) {
      return;
    }
    try {
      h.step();
    } catch (LoopHarness.OperatorCrash crash) {
      h.restart();
    }
  }

  private static boolean settled(LoopHarness h, int replicas) {
    var s = h.status();
    return s != null
        && s.getLaunchIntents().isEmpty()
        && Integer.valueOf(replicas).equals(s.getReadyReplicas())
        && h.liveInstances().size() == replicas
        && h.liveInstances().stream().allMatch(i -> i.state().name().equals("RUNNING"))
        && s.getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }
}
