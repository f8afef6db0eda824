package dev.serverfleet.operator.fleet;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Notice from AWS that an instance will go (or should go) soon: a spot interruption warning, a
 * rebalance recommendation, or a scheduled change (retirement, maintenance) from AWS Health. An
 * instance with an interruption is "doomed": the fleet launches its replacement first, then lets it
 * go through the normal termination path.
 *
 * @param kind what AWS sent
 * @param deadline when AWS acts: two minutes after a spot warning, the Health event's start time;
 *     null when AWS names none (a rebalance recommendation)
 * @param detail what the event said, for people (the Health event type code, the spot action)
 */
public record Interruption(Kind kind, Instant deadline, String detail) {

  public enum Kind {
    SPOT_INTERRUPTION("SpotInterruption"),
    REBALANCE_RECOMMENDATION("RebalanceRecommendation"),
    SCHEDULED_CHANGE("ScheduledChange");

    private final String displayName;

    Kind(String displayName) {
      this.displayName = displayName;
    }

    /** The name in status and events: SpotInterruption, RebalanceRecommendation, ... */
    public String displayName() {
      return displayName;
    }

    /** The kind of a display name; null when unknown. */
    public static Kind ofDisplayName(String name) {
      for (Kind k : values()) {
        if (k.displayName.equals(name)) {
          return k;
        }
      }
      return null;
    }

    /** For metrics labels: spot-interruption, rebalance-recommendation, scheduled-change. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public Interruption {
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * The one to keep when two notices name the same instance (SQS delivers at least once, and a
   * Health event may follow a rebalance recommendation): the one with the earlier deadline, a
   * deadline before none; equal ones keep {@code this}, so a repeated message changes nothing.
   */
  public Interruption merge(Interruption other) {
    if (other == null || other.deadline == null) {
      return this;
    }
    if (deadline == null || other.deadline.isBefore(deadline)) {
      return other;
    }
    return this;
  }
}
