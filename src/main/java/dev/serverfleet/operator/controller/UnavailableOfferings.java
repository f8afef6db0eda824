package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.fleet.Offering;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Offerings (capacity type × instance type × zone) that answered a launch with "no capacity", kept
 * for a TTL ({@code --unavailable-offering-ttl}, 3 minutes by default) and shared by every fleet of
 * the operator: one fleet's InsufficientInstanceCapacity spares the others the same failed call.
 * Time is given by the caller (the loop's injected clock). Thread-safe.
 */
public final class UnavailableOfferings {
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(3);

  /** Why and until when an offering is avoided. */
  public record Entry(String reason, Instant until) {}

  private final Duration ttl;
  private final Map<Offering, Entry> entries = new HashMap<>();

  public UnavailableOfferings(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("the unavailable-offering TTL must be positive");
    }
    this.ttl = ttl;
  }

  public Duration ttl() {
    return ttl;
  }

  /** The offering failed with EC2's {@code reason} at {@code now}: avoided until now + TTL. */
  public synchronized Entry mark(Offering offering, String reason, Instant now) {
    Entry entry = new Entry(reason, now.plus(ttl));
    entries.put(offering, entry);
    return entry;
  }

  /** The offerings avoided at {@code now}; expired ones are forgotten. */
  public synchronized Map<Offering, Entry> current(Instant now) {
    entries.values().removeIf(e -> !now.isBefore(e.until()));
    return Map.copyOf(new HashMap<>(entries));
  }
}
