package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.InterruptionStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Interruption;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * AWS's interruption notices on their way from the queue into the fleets' status. The consumer
 * {@link #offer}s a notice; the fleet's next reconcile sees it (through {@link
 * Observation#notices}) and writes it into {@code status.instances[].interruption}; the reconciler
 * then {@link #settle}s it, and only then does the consumer delete its message. From there the
 * status is the record: a restarted operator reads the doomed instances back from it ({@link
 * #doomed}). A notice whose instance is no longer in status (gone) is settled too.
 *
 * <p>Thread-safe: the consumer thread offers and waits, reconcile threads read and settle; every
 * method holds this object's monitor for in-memory work only.
 */
public final class InterruptionNotices {
  /** One instance's notice. */
  public record Key(ResourceID fleet, String instanceId) {}

  private final Map<Key, Interruption> pending = new HashMap<>();

  /**
   * Records a notice until the fleet's status holds it; a repeated notice (SQS delivers at least
   * once) keeps the earlier deadline. Returns whether it is news: not pending already.
   */
  public synchronized boolean offer(Key key, Interruption notice) {
    Interruption before = pending.get(key);
    pending.put(key, before == null ? notice : before.merge(notice));
    return before == null;
  }

  /** The fleet's notices not yet in its status. */
  public synchronized Map<String, Interruption> of(ResourceID fleet) {
    Map<String, Interruption> out = new HashMap<>();
    pending.forEach(
        (k, v) -> {
          if (k.fleet().equals(fleet)) {
            out.put(k.instanceId(), v);
          }
        });
    return out;
  }

  /**
   * The fleet's status as stored after a reconcile: its pending notices that the status records, or
   * whose instance it no longer lists, are settled.
   */
  public synchronized void settle(ResourceID fleet, ServerFleetStatus stored) {
    if (stored == null) {
      return;
    }
    Map<String, InstanceStatus> listed = new HashMap<>();
    stored.getInstances().forEach(i -> listed.put(i.id(), i));
    boolean changed =
        pending
            .keySet()
            .removeIf(
                k ->
                    k.fleet().equals(fleet)
                        && (!listed.containsKey(k.instanceId())
                            || listed.get(k.instanceId()).interruption() != null));
    if (changed) {
      notifyAll();
    }
  }

  /**
   * Waits until these notices are settled, at most {@code timeout}; returns those that are. Waits
   * on the monitor (reconciles notify), never sleeps.
   */
  public synchronized Set<Key> awaitSettled(Collection<Key> keys, Duration timeout)
      throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (keys.stream().anyMatch(pending::containsKey)) {
      long left = Duration.between(Instant.now(), end).toMillis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    Set<Key> settled = new HashSet<>(keys);
    settled.removeIf(pending::containsKey);
    return settled;
  }

  /** The fleet's doomed instances: those its status records, and the notices not yet in it. */
  static Map<String, Interruption> doomed(ServerFleet fleet, Map<String, Interruption> received) {
    Map<String, Interruption> out = new HashMap<>();
    if (fleet.getStatus() != null) {
      for (InstanceStatus i : fleet.getStatus().getInstances()) {
        Interruption recorded = interruption(i.interruption());
        if (recorded != null) {
          out.put(i.id(), recorded);
        }
      }
    }
    received.forEach((id, n) -> out.merge(id, n, Interruption::merge));
    return out;
  }

  /** As written in status; null for none. */
  static InterruptionStatus status(Interruption n) {
    if (n == null) {
      return null;
    }
    return new InterruptionStatus(
        n.kind().displayName(),
        n.deadline() == null ? null : StatusBuilder.seconds(n.deadline()),
        n.detail());
  }

  /** As read back from status; null when absent or of an unknown kind. */
  static Interruption interruption(InterruptionStatus s) {
    if (s == null || Interruption.Kind.ofDisplayName(s.kind()) == null) {
      return null;
    }
    Instant deadline = null;
    try {
      deadline = s.deadline() == null ? null : Instant.parse(s.deadline());
    } catch (java.time.format.DateTimeParseException e) {
      // a hand-edited status: the instance is still doomed, with no deadline
    }
    return new Interruption(Interruption.Kind.ofDisplayName(s.kind()), deadline, s.detail());
  }
}
