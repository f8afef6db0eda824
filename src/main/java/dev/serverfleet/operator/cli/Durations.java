package dev.serverfleet.operator.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as kubectl reads and prints them: flags such as {@code --timeout=1m30s} (Go's duration
 * syntax), and ages such as {@code 5m12s}, {@code 3h} or {@code 2d} (the rounding of kubectl's AGE
 * column: more precision for young objects, less for old ones).
 */
final class Durations {
  private static final Pattern PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /** Parses {@code 0}, {@code 30s}, {@code 1.5h}, {@code 1h2m3s}, {@code 250ms}. */
  static Duration parse(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(text);
    double nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\" (examples: 30s, 5m, 1h30m)");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  private static long unitNanos(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
  }

  /** An age in kubectl's short form; {@code <invalid>} more than a second in the future. */
  static String human(Duration age) {
    long seconds = age.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      return withRest(minutes, "m", seconds % 60, "s");
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      return withRest(hours, "h", minutes % 60, "m");
    }
    if (hours < 48) {
      return hours + "h";
    }
    long days = hours / 24;
    if (hours < 24 * 8) {
      return withRest(days, "d", hours % 24, "h");
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    if (days < 365 * 8) {
      return withRest(days / 365, "y", days % 365, "d");
    }
    return days / 365 + "y";
  }

  private static String withRest(long value, String unit, long rest, String restUnit) {
    return rest == 0 ? value + unit : value + unit + rest + restUnit;
  }
}
