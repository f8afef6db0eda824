package dev.serverfleet.operator.selection;

import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The answers of selector lookups, shared by every fleet: one lookup per distinct selector (the
 * key) per refresh period, however many fleets use it and however often they reconcile.
 *
 * <table>
 *   <caption>what a lookup leaves in the cache</caption>
 *   <tr><th>lookup</th><th>answer until the next lookup</th><th>next lookup after</th></tr>
 *   <tr><td>found</td><td>the value (also kept as the last good one)</td><td>the period</td></tr>
 *   <tr><td>nothing matched</td><td>a failure naming the selector</td><td>{@link #retryAfterFailure()}</td></tr>
 *   <tr><td>throttled, 5xx, no answer</td><td>the last good value if any, else a failure</td>
 *       <td>{@link #retryAfterFailure()}</td></tr>
 *   <tr><td>refused (access denied, bad request)</td><td>a failure; the last good value is
 *       forgotten</td><td>{@link #retryAfterFailure()}</td></tr>
 * </table>
 *
 * A failure is retried sooner than a success is refreshed (but never more often than every {@link
 * #MAX_FAILURE_RETRY}), so a parameter created a minute later is found without a hot loop. Keys not
 * asked for in three periods are forgotten.
 */
public final class SelectorCache {
  /** The longest a failed lookup waits before it is tried again. */
  public static final Duration MAX_FAILURE_RETRY = Duration.ofSeconds(30);

  /** A value, or why there is none. */
  public record Answer<V>(V value, String failure) {
    static <V> Answer<V> of(V value) {
      return new Answer<>(value, null);
    }

    static <V> Answer<V> failed(String why) {
      return new Answer<>(null, why);
    }

    public boolean ok() {
      return failure == null;
    }
  }

  private static final class Slot {
    Answer<?> answer;
    Object lastGood;
    boolean fresh;
    Instant expires = Instant.MIN;
    Instant lastAsked = Instant.MIN;
  }

  private final Clock clock;
  private final Duration period;
  private final Map<Object, Slot> slots = new ConcurrentHashMap<>();

  public SelectorCache(Clock clock, Duration period) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("selector refresh period must be positive: " + period);
    }
    this.clock = clock;
    this.period = period;
  }

  public Duration period() {
    return period;
  }

  public Duration retryAfterFailure() {
    return period.compareTo(MAX_FAILURE_RETRY) < 0 ? period : MAX_FAILURE_RETRY;
  }

  /**
   * The cached answer for {@code key}, or the lookup's (made at most once at a time per key).
   *
   * @param lookup the call; returns the answer (a failure when nothing matched) or throws {@link
   *     CloudException}
   * @param describe what the key is, for a failure message
   */
  @SuppressWarnings("unchecked")
  public <V> Answer<V> get(Object key, Supplier<Answer<V>> lookup, String describe) {
    Instant now = clock.instant();
    forgetUnused(now);
    Slot slot = slots.computeIfAbsent(key, k -> new Slot());
    synchronized (slot) {
      slot.lastAsked = now;
      if (slot.answer != null && now.isBefore(slot.expires)) {
        return (Answer<V>) slot.answer;
      }
      slot.fresh = false;
      Answer<V> answer = fetch(slot, lookup, describe);
      slot.answer = answer;
      slot.expires = now.plus(slot.fresh ? period : retryAfterFailure());
      return answer;
    }
  }

  @SuppressWarnings("unchecked")
  private static <V> Answer<V> fetch(Slot slot, Supplier<Answer<V>> lookup, String describe) {
    try {
      Answer<V> answer = lookup.get();
      slot.lastGood = answer.ok() ? answer.value() : null;
      slot.fresh = answer.ok();
      return answer;
    } catch (CloudException e) {
      boolean transientError =
          e.errorClass() == ErrorClass.THROTTLED || e.errorClass() == ErrorClass.TRANSIENT;
      if (transientError && slot.lastGood != null) {
        return Answer.of((V) slot.lastGood);
      }
      if (!transientError) {
        slot.lastGood = null;
      }
      return Answer.failed(
          describe + ": " + e.operation() + " failed (" + e.code() + "): " + e.getMessage());
    }
  }

  private void forgetUnused(Instant now) {
    Instant cutoff = now.minus(period.multipliedBy(3));
    slots.entrySet().removeIf(e -> e.getValue().lastAsked.isBefore(cutoff));
  }

  /** How many selectors the cache holds (for tests and metrics). */
  public int size() {
    return slots.size();
  }

  /** The cached answer for a key, without looking anything up. */
  @SuppressWarnings("unchecked")
  <V> Optional<Answer<V>> peek(Object key) {
    return Optional.ofNullable(slots.get(key)).map(s -> (Answer<V>) s.answer);
  }
}
