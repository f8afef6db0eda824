package dev.serverfleet.operator.planning;

/**
 * A rolling update's bounds in instances, resolved from integers or percentages with Deployment's
 * rounding: surge rounds up, unavailable rounds down, and when both come to zero, one instance may
 * be unavailable so that the rollout can move at all.
 */
public record RolloutBounds(int maxSurge, int maxUnavailable) {

  public RolloutBounds {
    if (maxSurge < 0 || maxUnavailable < 0) {
      throw new IllegalArgumentException("bounds must not be negative");
    }
  }

  /**
   * @param surge an integer or a percentage such as {@code "25%"}; null means the default 25%
   * @param unavailable likewise; null means the default 0
   */
  public static RolloutBounds resolve(Object surge, Object unavailable, int replicas) {
    int s = scaled(surge == null ? "25%" : surge, replicas, true);
    int u = scaled(unavailable == null ? 0 : unavailable, replicas, false);
    if (s == 0 && u == 0) {
      u = 1;
    }
    return new RolloutBounds(s, u);
  }

  static int scaled(Object value, int replicas, boolean roundUp) {
    if (value instanceof Integer i) {
      return i;
    }
    String text = String.valueOf(value).trim();
    if (!text.endsWith("%")) {
      return Integer.parseInt(text);
    }
    long percent = Long.parseLong(text.substring(0, text.length() - 1));
    long product = percent * replicas;
    return (int) (roundUp ? (product + 99) / 100 : product / 100);
  }
}
