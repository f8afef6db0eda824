package dev.serverfleet.operator.cloud;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory SQS queue as SQS behaves for one receiver: a received message is invisible until it
 * is deleted or the visibility timeout ends ({@link #expireVisibility}: it comes back with a new
 * receipt handle); at most ten per receive; records deletions. Never waits: an empty queue answers
 * at once.
 */
public final class FakeEventQueue implements EventQueue {
  private record Stored(String id, String body) {}

  private final List<Stored> visible = new ArrayList<>();
  private final Map<String, Stored> inFlight = new LinkedHashMap<>();
  private final List<String> deletedBodies = new ArrayList<>();
  private int sent;
  private int receipts;

  public synchronized void send(String body) {
    visible.add(new Stored("m-" + (++sent), body));
  }

  /** The visibility timeout passes: every received, undeleted message is visible again. */
  public synchronized void expireVisibility() {
    visible.addAll(inFlight.values());
    inFlight.clear();
  }

  @Override
  public synchronized List<Message> receive() {
    List<Message> out = new ArrayList<>();
    while (!visible.isEmpty() && out.size() < MAX_MESSAGES) {
      Stored m = visible.remove(0);
      String handle = "rh-" + (++receipts);
      inFlight.put(handle, m);
      out.add(new Message(m.id(), handle, m.body()));
    }
    return out;
  }

  @Override
  public synchronized int delete(Collection<String> receiptHandles) {
    int n = 0;
    for (String h : receiptHandles) {
      Stored m = inFlight.remove(h);
      if (m != null) {
        deletedBodies.add(m.body());
        n++;
      }
    }
    return n;
  }

  public synchronized List<String> deleted() {
    return List.copyOf(deletedBodies);
  }

  /** Messages neither deleted nor visible: received and waiting for their visibility timeout. */
  public synchronized int inFlight() {
    return inFlight.size();
  }

  public synchronized int visible() {
    return visible.size();
  }
}
