package dev.serverfleet.operator.cloud;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The order in which calls waiting for one bucket are let through: fair across callers (fleets),
 * weighted by what each call takes (instances for RunInstances, one otherwise), so that one fleet
 * launching hundreds of instances does not make every small fleet behind it wait for its refill,
 * and that fleet is still never starved.
 *
 * <p>Self-clocked fair queueing: a call of caller {@code k} and weight {@code w} gets the tag
 * {@code max(V, last(k)) + w}, where {@code V} (virtual time) is the tag of the call granted last
 * and {@code last(k)} the tag of {@code k}'s previous call; the waiting call with the smallest tag
 * goes first (ties: in arrival order). A caller's calls keep their order (its tags grow); a caller
 * that just arrived starts at {@code V}, so it neither jumps the queue with credit saved while idle
 * nor waits behind the whole backlog of another caller; a big call waits while at most its own
 * weight of others' calls is granted before it, then goes.
 *
 * <p>Pure: no clock, no threads, no locking; the caller ({@link Ec2RateLimits}) holds a lock.
 */
final class FairQueue {
  /** One waiting call: who, how much, its place. */
  record Ticket(String caller, long weight, long tag, long arrival) {}

  private final TreeSet<Ticket> waiting =
      new TreeSet<>(
          (a, b) ->
              a.tag() != b.tag()
                  ? Long.compare(a.tag(), b.tag())
                  : Long.compare(a.arrival(), b.arrival()));

  /** Tags of callers' last calls that are above {@link #virtualTime}; below it they are moot. */
  private final Map<String, Long> lastTag = new HashMap<>();

  private long virtualTime;
  private long arrivals;

  /** A call of {@code caller} taking {@code weight} (at least 1) joins the queue. */
  Ticket enqueue(String caller, long weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("a call weighs at least 1, not " + weight);
    }
    long start = Math.max(virtualTime, lastTag.getOrDefault(caller, virtualTime));
    Ticket ticket = new Ticket(caller, weight, start + weight, arrivals++);
    lastTag.put(caller, ticket.tag());
    waiting.add(ticket);
    return ticket;
  }

  /** The call to grant next, if any waits. */
  Optional<Ticket> head() {
    return waiting.isEmpty() ? Optional.empty() : Optional.of(waiting.first());
  }

  boolean isHead(Ticket ticket) {
    return !waiting.isEmpty() && waiting.first().equals(ticket);
  }

  /** The head was granted: it leaves the queue and virtual time moves to its tag. */
  void granted(Ticket ticket) {
    if (!isHead(ticket)) {
      throw new IllegalStateException("only the head of the queue is granted, not " + ticket);
    }
    waiting.pollFirst();
    virtualTime = Math.max(virtualTime, ticket.tag());
    forgetIdle(ticket.caller());
  }

  /**
   * The call gave up (its thread was interrupted): it leaves without moving virtual time, and its
   * caller is not charged for it when it was the caller's last call.
   */
  void cancelled(Ticket ticket) {
    if (!waiting.remove(ticket)) {
      return;
    }
    if (lastTag.getOrDefault(ticket.caller(), Long.MIN_VALUE) == ticket.tag()) {
      lastTag.put(ticket.caller(), ticket.tag() - ticket.weight());
    }
    forgetIdle(ticket.caller());
  }

  int waiting() {
    return waiting.size();
  }

  long virtualTime() {
    return virtualTime;
  }

  /** How many callers are remembered (a caller with no tag above virtual time is not). */
  int remembered() {
    return lastTag.size();
  }

  /** A caller whose last tag is not above virtual time starts at virtual time anyway: forget it. */
  private void forgetIdle(String caller) {
    Long last = lastTag.get(caller);
    if (last != null && last <= virtualTime) {
      lastTag.remove(caller);
    }
  }
}
