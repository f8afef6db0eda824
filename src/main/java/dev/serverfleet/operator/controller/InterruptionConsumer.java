package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Event;
import dev.serverfleet.operator.cloud.Ec2Events;
import dev.serverfleet.operator.cloud.EventQueue;
import dev.serverfleet.operator.fleet.Interruption;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the interruption queue ({@code --interruption-queue}) as a JOSDK event source, so that,
 * like the sweep, it runs only on the leader (JOSDK starts event sources with the controller, once
 * the lease is held). One thread long-polls the queue; per message ({@link Ec2Events}):
 *
 * <table>
 *   <caption>what happens to a message, and when it is deleted</caption>
 *   <tr><th>message</th><th>action</th><th>deleted</th></tr>
 *   <tr><td>spot warning, scheduled change, rebalance recommendation (with the fleet's
 *       capacityRebalance) for an owned instance</td><td>notice offered, fleet reconciled at
 *       once</td><td>once the fleet's status records it (else SQS delivers it again)</td></tr>
 *   <tr><td>rebalance recommendation, capacityRebalance off</td><td>none</td><td>at once</td></tr>
 *   <tr><td>state-change notification for an owned instance</td><td>instance described by id into
 *       the cache (one DescribeInstances for every state change of a received batch), fleet
 *       reconciled at once</td><td>at once</td></tr>
 *   <tr><td>any event for an instance no fleet has</td><td>none</td><td>at once</td></tr>
 *   <tr><td>unknown or malformed</td><td>logged</td><td>at once</td></tr>
 * </table>
 *
 * <p>Handling is idempotent: a repeated notice keeps the earlier deadline and announces nothing;
 * one delivered again after the fleet's status recorded it is deleted at once. Failures of SQS are
 * logged and retried after a pause; nothing here throws out of the thread. Metrics: {@code
 * serverfleet_interruption_messages_total{type,outcome}}.
 */
public final class InterruptionConsumer extends AbstractEventSource<Interruption, ServerFleet> {
  public static final String NAME = "interruption-queue";
  static final String METRIC = "serverfleet.interruption.messages";
  private static final Logger log = LoggerFactory.getLogger(InterruptionConsumer.class);

  /** How long a batch waits for its notices to reach the fleets' status before deleting. */
  public static final Duration SETTLE_WAIT = Duration.ofSeconds(15);

  /** The pause after a failed ReceiveMessage. */
  static final Duration RECEIVE_BACKOFF = Duration.ofSeconds(5);

  private final EventQueue queue;
  private final InstanceSweep sweep;
  private final OrphanCollector.Fleets fleets;
  private final InterruptionNotices notices;
  private final FleetEvents events;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Duration settleWait;
  private volatile Thread thread;

  public InterruptionConsumer(
      EventQueue queue,
      InstanceSweep sweep,
      OrphanCollector.Fleets fleets,
      InterruptionNotices notices,
      FleetEvents events,
      MeterRegistry registry,
      Clock clock,
      Duration settleWait) {
    super(Interruption.class, NAME);
    this.settleWait = settleWait;
    this.queue = queue;
    this.sweep = sweep;
    this.fleets = fleets;
    this.notices = notices;
    this.events = events;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public synchronized void start() throws OperatorException {
    super.start();
    Thread t = new Thread(this::run, "interruption-queue");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public synchronized void stop() throws OperatorException {
    super.stop();
    Thread t = thread;
    thread = null;
    if (t != null) {
      t.interrupt();
    }
  }

  private void run() {
    while (thread == Thread.currentThread()) {
      try {
        pollOnce();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("interruption queue: {}; retrying in {} s", e, RECEIVE_BACKOFF.toSeconds());
        try {
          Thread.sleep(RECEIVE_BACKOFF.toMillis()); // a production pause, not a test's wait
        } catch (InterruptedException stopped) {
          return;
        }
      }
    }
  }

  /**
   * One long poll and its messages; public for tests that drive the consumer by hand. Throws what
   * the queue throws on receive; a failed delete is logged (the messages come back).
   */
  public void pollOnce() throws InterruptedException {
    List<EventQueue.Message> batch = queue.receive();
    List<String> done = new ArrayList<>();
    Map<InterruptionNotices.Key, List<String>> waiting = new HashMap<>();
    Set<ResourceID> wake = new HashSet<>();
    Map<String, ResourceID> changed = new HashMap<>();
    for (EventQueue.Message m : batch) {
      Handled h = handle(m, changed);
      h.wake().ifPresent(wake::add);
      if (h.awaits().isEmpty()) {
        done.add(m.receiptHandle());
      } else {
        h.awaits()
            .forEach(
                k -> waiting.computeIfAbsent(k, x -> new ArrayList<>()).add(m.receiptHandle()));
      }
    }
    if (!changed.isEmpty()) {
      sweep.refresh(changed); // one DescribeInstances for the batch's state changes, before wakes
    }
    wake.forEach(this::wake);
    if (!waiting.isEmpty()) {
      Set<InterruptionNotices.Key> settled = notices.awaitSettled(waiting.keySet(), settleWait);
      Set<String> unsettled = new HashSet<>();
      waiting.forEach((k, handles) -> (settled.contains(k) ? done : unsettled).addAll(handles));
      // A message naming several instances goes only once all of them are recorded.
      done.removeAll(unsettled);
      if (!unsettled.isEmpty()) {
        log.info(
            "{} interruption message(s) not yet in status; SQS delivers them again",
            unsettled.size());
      }
    }
    if (!done.isEmpty()) {
      try {
        queue.delete(new ArrayList<>(new java.util.LinkedHashSet<>(done)));
      } catch (CloudException e) {
        log.warn(
            "DeleteMessageBatch failed ({}); the messages come back and are handled again",
            e.code());
      }
    }
  }

  /**
   * What a message led to: a fleet to reconcile, notices whose recording its deletion waits for.
   */
  private record Handled(Optional<ResourceID> wake, List<InterruptionNotices.Key> awaits) {
    static final Handled NOTHING = new Handled(Optional.empty(), List.of());
  }

  /**
   * @param changed where a state change of an owned instance is put, to be described by id with the
   *     rest of the batch's
   */
  private Handled handle(EventQueue.Message m, Map<String, ResourceID> changed) {
    Ec2Event event = Ec2Events.parse(m.body(), clock.instant());
    if (event instanceof Ec2Event.Notice notice) {
      return notice(notice);
    }
    if (event instanceof Ec2Event.StateChange change) {
      return stateChange(change, changed);
    }
    if (event instanceof Ec2Event.Malformed bad) {
      log.warn("interruption queue: malformed message {} deleted: {}", m.messageId(), bad.reason());
      return count(event, "malformed", Handled.NOTHING);
    }
    log.info(
        "interruption queue: message {} of no interest deleted: {}",
        m.messageId(),
        ((Ec2Event.Unknown) event).detailType());
    return count(event, "unknown", Handled.NOTHING);
  }

  private Handled stateChange(Ec2Event.StateChange change, Map<String, ResourceID> changed) {
    Optional<ResourceID> fleet = sweep.fleetOf(change.instanceId());
    if (fleet.isEmpty()) {
      return count(change, "foreign", Handled.NOTHING);
    }
    changed.put(change.instanceId(), fleet.get());
    return count(change, "accepted", new Handled(fleet, List.of()));
  }

  private Handled notice(Ec2Event.Notice notice) {
    Interruption n = notice.interruption();
    Optional<ResourceID> wake = Optional.empty();
    List<InterruptionNotices.Key> awaits = new ArrayList<>();
    String outcome = "foreign";
    for (String id : notice.instanceIds()) {
      Optional<ResourceID> fleetId = sweep.fleetOf(id);
      Optional<ServerFleet> fleet = fleetId.flatMap(fleets::cached);
      if (fleet.isEmpty()) {
        continue;
      }
      if (n.kind() == Interruption.Kind.REBALANCE_RECOMMENDATION
          && !SpecDefaults.capacityRebalance(fleet.get())) {
        outcome = "ignored";
        continue;
      }
      if (recorded(fleet.get(), id)) {
        outcome = "duplicate"; // delivered again after its notice reached status
        continue;
      }
      InterruptionNotices.Key key = new InterruptionNotices.Key(fleetId.get(), id);
      if (notices.offer(key, n)) {
        events.warning(fleet.get(), "InterruptionWarning", describe(id, n));
      }
      awaits.add(key);
      wake = fleetId;
      outcome = "accepted";
    }
    return count(notice, outcome, new Handled(wake, awaits));
  }

  private static boolean recorded(ServerFleet fleet, String instanceId) {
    return fleet.getStatus() != null
        && fleet.getStatus().getInstances().stream()
            .anyMatch(i -> i.id().equals(instanceId) && i.interruption() != null);
  }

  private static String describe(String id, Interruption n) {
    String what =
        switch (n.kind()) {
          case SPOT_INTERRUPTION -> "spot interruption warning (" + n.detail() + ")";
          case REBALANCE_RECOMMENDATION -> "rebalance recommendation (capacityRebalance)";
          case SCHEDULED_CHANGE -> "scheduled change " + n.detail();
        };
    return "AWS will take "
        + id
        + ": "
        + what
        + (n.deadline() == null ? "" : " at " + n.deadline())
        + "; launching its replacement, then terminating it within spec.maintenance";
  }

  private Handled count(Ec2Event event, String outcome, Handled handled) {
    Counter.builder(METRIC)
        .description("Messages of the interruption queue by type and outcome")
        .tag("type", event.type())
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    return handled;
  }

  private void wake(ResourceID fleet) {
    if (isRunning() && getEventHandler() != null) {
      getEventHandler().handleEvent(new Event(fleet));
    }
  }

  @Override
  public Set<Interruption> getSecondaryResources(ServerFleet primary) {
    return new HashSet<>(notices.of(ResourceID.fromResource(primary)).values());
  }
}
