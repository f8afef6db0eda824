package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.cloud.FairQueue.Ticket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The order of calls waiting for a bucket: tags, virtual time, ties, cancels, memory. */
class FairQueueTest {
  private final FairQueue queue = new FairQueue();

  /** Grants every waiting call in the queue's order; returns "caller:weight" of each. */
  private List<String> drain() {
    List<String> order = new ArrayList<>();
    while (queue.head().isPresent()) {
      Ticket head = queue.head().get();
      queue.granted(head);
      order.add(head.caller() + ":" + head.weight());
    }
    return order;
  }

  @Test
  void anEmptyQueueHasNoHead() {
    assertThat(queue.head()).isEmpty();
    assertThat(queue.waiting()).isZero();
  }

  @Test
  void aLoneCallerIsServedInTheOrderItAsked() {
    Ticket first = queue.enqueue("shop/web", 1);
    queue.enqueue("shop/web", 5);
    queue.enqueue("shop/web", 2);
    assertThat(queue.isHead(first)).isTrue();
    assertThat(drain()).containsExactly("shop/web:1", "shop/web:5", "shop/web:2");
  }

  @Test
  void aCallerWithABacklogTakesTurnsWithOneThatArrivesLater() {
    queue.enqueue("a", 1);
    queue.enqueue("a", 1);
    queue.enqueue("a", 1);
    queue.enqueue("b", 1);
    queue.enqueue("b", 1);
    assertThat(drain())
        .as("b starts at virtual time, not behind a's backlog")
        .containsExactly("a:1", "b:1", "a:1", "b:1", "a:1");
  }

  @Test
  void smallCallsGoBeforeABigOneThatAskedFirst() {
    queue.enqueue("big", 250);
    queue.enqueue("small-1", 3);
    queue.enqueue("small-2", 3);
    assertThat(drain()).containsExactly("small-1:3", "small-2:3", "big:250");
  }

  @Test
  void aBigCallWaitsForAtMostItsOwnWeightOfOthersCallsThenGoes() {
    queue.enqueue("big", 250);
    int smallsBefore = 0;
    for (int n = 0; ; n++) {
      queue.enqueue("small-" + n, 3); // a new fleet every time: each starts at virtual time
      Ticket head = queue.head().orElseThrow();
      queue.granted(head);
      if (head.caller().equals("big")) {
        break;
      }
      smallsBefore++;
    }
    assertThat(smallsBefore)
        .as("3, 6, ..., 249 are below 250: 83 calls, 249 instances")
        .isEqualTo(83);
  }

  @Test
  void aTieGoesToTheCallThatArrivedFirst() {
    queue.enqueue("b", 2);
    queue.enqueue("a", 2);
    assertThat(drain()).containsExactly("b:2", "a:2");
  }

  @Test
  void anIdleCallerSavesNoCredit() {
    for (int n = 0; n < 10; n++) {
      queue.granted(queue.enqueue("busy", 1));
    }
    assertThat(queue.virtualTime()).isEqualTo(10);
    Ticket late = queue.enqueue("idle", 1);
    assertThat(late.tag()).as("starts at virtual time, not at 0").isEqualTo(11);
    queue.enqueue("busy", 1);
    assertThat(drain())
        .as("so it does not get ten calls in a row")
        .containsExactly("idle:1", "busy:1");
  }

  @Test
  void virtualTimeIsTheTagGrantedLastAndNeverGoesBack() {
    Ticket small = queue.enqueue("a", 3);
    Ticket big = queue.enqueue("b", 10);
    queue.granted(small);
    assertThat(queue.virtualTime()).isEqualTo(3);
    queue.granted(big);
    assertThat(queue.virtualTime()).isEqualTo(10);
    Ticket next = queue.enqueue("a", 1);
    assertThat(next.tag()).isEqualTo(11);
  }

  @Test
  void callersAreForgottenOnceTheirLastCallIsGranted() {
    queue.enqueue("a", 1);
    queue.enqueue("b", 4);
    queue.enqueue("a", 1);
    assertThat(queue.remembered()).isEqualTo(2);
    drain();
    assertThat(queue.remembered()).as("no memory grows with fleets that came and went").isZero();
  }

  @Test
  void aCancelledCallLeavesAndItsCallerIsNotChargedForIt() {
    Ticket a = queue.enqueue("a", 5);
    Ticket gaveUp = queue.enqueue("b", 5);
    queue.cancelled(gaveUp);
    assertThat(queue.waiting()).isEqualTo(1);
    assertThat(queue.isHead(a)).isTrue();
    assertThat(queue.enqueue("b", 1).tag()).as("b starts again where it stood").isEqualTo(1);
    assertThat(drain()).containsExactly("b:1", "a:5");
    assertThat(queue.remembered()).isZero();
  }

  @Test
  void cancellingTheHeadMakesTheNextOneHeadAndVirtualTimeStays() {
    Ticket head = queue.enqueue("a", 2);
    Ticket next = queue.enqueue("b", 3);
    queue.cancelled(head);
    assertThat(queue.isHead(next)).isTrue();
    assertThat(queue.virtualTime()).isZero();
  }

  @Test
  void cancellingAnEarlierCallOfACallerKeepsItsLaterCallsPlace() {
    Ticket first = queue.enqueue("a", 2);
    Ticket second = queue.enqueue("a", 2);
    queue.cancelled(first);
    assertThat(second.tag()).isEqualTo(4);
    assertThat(queue.enqueue("a", 1).tag()).as("behind its own later call").isEqualTo(5);
    assertThat(drain()).containsExactly("a:2", "a:1");
  }

  @Test
  void cancellingAGrantedOrUnknownCallChangesNothing() {
    Ticket done = queue.enqueue("a", 1);
    queue.granted(done);
    Ticket waiting = queue.enqueue("b", 1);
    queue.cancelled(done);
    assertThat(queue.waiting()).isEqualTo(1);
    assertThat(queue.isHead(waiting)).isTrue();
  }

  @Test
  void onlyTheHeadIsGranted() {
    queue.enqueue("a", 1);
    Ticket second = queue.enqueue("b", 1);
    assertThat(queue.isHead(second)).isFalse();
    assertThatThrownBy(() -> queue.granted(second)).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @CsvSource({"0", "-1"})
  void aCallWeighsAtLeastOne(long weight) {
    assertThatThrownBy(() -> queue.enqueue("a", weight))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }

  @Test
  void threeFleetsOfDifferentSizesShareInstancesEquallyWhileAllWait() {
    // big launches 100 at a time, mid 10, small 1; each keeps 20 calls waiting
    for (int n = 0; n < 20; n++) {
      queue.enqueue("big", 100);
      queue.enqueue("mid", 10);
      queue.enqueue("small", 1);
    }
    Map<String, Long> served = new HashMap<>();
    for (int grants = 0; grants < 20; grants++) {
      Ticket head = queue.head().orElseThrow();
      queue.granted(head);
      served.merge(head.caller(), head.weight(), Long::sum);
    }
    // tags up to 19: small 1..19, mid 10 (before small's 10, it arrived first)
    assertThat(served).containsExactlyInAnyOrderEntriesOf(Map.of("small", 19L, "mid", 10L));
    assertThat(drain().subList(0, 3))
        .as("tag 20: mid's second (it arrived first), small's last; then mid's third (30)")
        .containsExactly("mid:10", "small:1", "mid:10");
  }
}
