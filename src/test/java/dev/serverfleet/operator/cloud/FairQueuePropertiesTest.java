package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.cloud.FairQueue.Ticket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants of the fair queue over arbitrary calls: every call is granted once, each caller's in
 * its own order, virtual time never goes back, callers are forgotten, and any two callers waiting
 * together are served within one call's weight of each other (the fairness bound).
 */
class FairQueuePropertiesTest {
  record Call(String caller, long weight) {}

  @Provide
  Arbitrary<List<Call>> calls() {
    return Combinators.combine(
            Arbitraries.of("a", "b", "c", "d"), Arbitraries.longs().between(1, 1000))
        .as(Call::new)
        .list()
        .ofMaxSize(60);
  }

  @Property
  void callsWaitingTogetherAreServedFairlyAndInTheirCallersOrder(
      @ForAll("calls") List<Call> calls) {
    FairQueue queue = new FairQueue();
    Map<String, List<Ticket>> asked = new HashMap<>();
    Map<String, Long> maxWeight = new HashMap<>();
    for (Call c : calls) {
      asked
          .computeIfAbsent(c.caller(), k -> new ArrayList<>())
          .add(queue.enqueue(c.caller(), c.weight()));
      maxWeight.merge(c.caller(), c.weight(), Math::max);
    }
    Map<String, List<Ticket>> granted = new HashMap<>();
    Map<String, Long> served = new HashMap<>();
    long lastVirtualTime = queue.virtualTime();
    while (queue.head().isPresent()) {
      Ticket head = queue.head().get();
      queue.granted(head);
      granted.computeIfAbsent(head.caller(), k -> new ArrayList<>()).add(head);
      served.merge(head.caller(), head.weight(), Long::sum);
      assertThat(queue.virtualTime()).isGreaterThanOrEqualTo(lastVirtualTime);
      lastVirtualTime = queue.virtualTime();
      for (String x : asked.keySet()) {
        for (String y : asked.keySet()) {
          if (stillWaiting(asked, granted, x) && stillWaiting(asked, granted, y)) {
            assertThat(Math.abs(served.getOrDefault(x, 0L) - served.getOrDefault(y, 0L)))
                .as("%s and %s both waiting", x, y)
                .isLessThanOrEqualTo(maxWeight.get(x) + maxWeight.get(y));
          }
        }
      }
    }
    assertThat(granted).isEqualTo(asked);
    assertThat(queue.remembered()).isZero();
  }

  private static boolean stillWaiting(
      Map<String, List<Ticket>> asked, Map<String, List<Ticket>> granted, String caller) {
    return granted.getOrDefault(caller, List.of()).size() < asked.get(caller).size();
  }
}
