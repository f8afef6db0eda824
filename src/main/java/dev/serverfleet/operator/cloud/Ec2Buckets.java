package dev.serverfleet.operator.cloud;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sizes of EC2's account token buckets the client mirrors, as EC2 documents them (burst, refill
 * per second): its defaults, or an account's raised limits given as {@code
 * describe=100/20,run=5/2,run-instances=1000/2,terminate=100/5,tags=100/10} (any subset; the rest
 * keep EC2's defaults). The client keeps its headroom below these ({@link Ec2RateLimits}).
 * Operators that share one account (shards split by {@code --label-selector}) each take a share of
 * it: {@code share=0.5} (or {@code share=1/2}) scales every bucket, EC2's defaults or the sizes
 * listed with it, so that together they stay within the account's buckets instead of throttling
 * each other.
 *
 * @param limits one per bucket
 */
public record Ec2Buckets(Map<Bucket, Limit> limits) {
  /** EC2's buckets, named as the flag names them. */
  public enum Bucket {
    DESCRIBE("describe", new Limit(100, 20)),
    RUN("run", new Limit(5, 2)),
    RUN_INSTANCES("run-instances", new Limit(1000, 2)),
    TERMINATE("terminate", new Limit(100, 5)),
    TAGS("tags", new Limit(100, 10));

    final String flagName;
    final Limit ec2Default;

    Bucket(String flagName, Limit ec2Default) {
      this.flagName = flagName;
      this.ec2Default = ec2Default;
    }

    /** The name in the flag and in metrics' {@code class} tag. */
    public String flagName() {
      return flagName;
    }
  }

  /** A bucket of {@code burst} tokens refilled at {@code perSecond}. */
  public record Limit(int burst, double perSecond) {
    public Limit {
      if (burst < 1 || !(perSecond > 0) || Double.isInfinite(perSecond)) {
        throw new IllegalArgumentException(
            "a bucket needs a burst of at least 1 and a positive refill rate, not "
                + burst
                + "/"
                + perSecond);
      }
    }

    @Override
    public String toString() {
      return burst + "/" + (perSecond == Math.rint(perSecond) ? "" + (long) perSecond : perSecond);
    }
  }

  /** EC2's documented defaults. */
  public static final Ec2Buckets EC2_DEFAULTS =
      new Ec2Buckets(
          Stream.of(Bucket.values())
              .collect(
                  Collectors.toMap(
                      b -> b, b -> b.ec2Default, (a, b) -> a, () -> new EnumMap<>(Bucket.class))));

  public Ec2Buckets {
    Map<Bucket, Limit> all = new EnumMap<>(Bucket.class);
    for (Bucket b : Bucket.values()) {
      all.put(b, limits.getOrDefault(b, b.ec2Default));
    }
    limits = Map.copyOf(all);
  }

  public Limit of(Bucket bucket) {
    return limits.get(bucket);
  }

  /**
   * The flag's value: {@code true} (EC2's defaults), {@code false} (no client-side limits: empty),
   * or a comma-separated list of {@code class=burst/refill-per-second}.
   *
   * @throws IllegalArgumentException naming what is wrong and what is accepted
   */
  public static Optional<Ec2Buckets> parse(String value) {
    String v = value == null ? "" : value.trim();
    if (v.equalsIgnoreCase("true")) {
      return Optional.of(EC2_DEFAULTS);
    }
    if (v.equalsIgnoreCase("false")) {
      return Optional.empty();
    }
    Map<Bucket, Limit> limits = new EnumMap<>(Bucket.class);
    double share = 1;
    boolean shareGiven = false;
    for (String item : v.split(",", -1)) {
      String[] kv = item.trim().split("=", -1);
      if (kv.length != 2) {
        throw refused(value, "'" + item.trim() + "' is not class=burst/refill or share=fraction");
      }
      if (kv[0].trim().equalsIgnoreCase(SHARE)) {
        if (shareGiven) {
          throw refused(value, "share is given twice");
        }
        share = share(value, kv[1].trim());
        shareGiven = true;
        continue;
      }
      Bucket bucket = bucket(value, kv[0].trim());
      if (limits.put(bucket, limit(value, kv[1].trim())) != null) {
        throw refused(value, bucket.flagName + " is given twice");
      }
    }
    return Optional.of(new Ec2Buckets(limits).scaled(share));
  }

  private static final String SHARE = "share";

  /**
   * This operator's share of every bucket: the burst (whole, at least 1) and the refill rate times
   * {@code share}.
   */
  public Ec2Buckets scaled(double share) {
    if (share == 1) {
      return this;
    }
    Map<Bucket, Limit> scaled = new EnumMap<>(Bucket.class);
    limits.forEach(
        (b, l) ->
            scaled.put(
                b,
                new Limit(
                    Math.max(1, (int) Math.floor(l.burst() * share)), l.perSecond() * share)));
    return new Ec2Buckets(scaled);
  }

  /** A fraction in (0, 1], written as a decimal or as n/d. */
  private static double share(String value, String fraction) {
    try {
      String[] nd = fraction.split("/", -1);
      double share =
          nd.length == 1
              ? Double.parseDouble(nd[0].trim())
              : nd.length == 2
                  ? Double.parseDouble(nd[0].trim()) / Double.parseDouble(nd[1].trim())
                  : Double.NaN;
      if (share > 0 && share <= 1) {
        return share;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused(
        value,
        "share '" + fraction + "' is not a fraction above 0 and at most 1 (e.g. 0.5 or 1/2)");
  }

  private static Bucket bucket(String value, String name) {
    for (Bucket b : Bucket.values()) {
      if (b.flagName.equals(name.toLowerCase(Locale.ROOT))) {
        return b;
      }
    }
    throw refused(value, "unknown class '" + name + "'");
  }

  private static Limit limit(String value, String burstAndRate) {
    String[] parts = burstAndRate.split("/", -1);
    try {
      if (parts.length != 2) {
        throw new IllegalArgumentException();
      }
      return new Limit(Integer.parseInt(parts[0].trim()), Double.parseDouble(parts[1].trim()));
    } catch (IllegalArgumentException e) {
      throw refused(
          value,
          "'"
              + burstAndRate
              + "' is not burst/refill-per-second (a whole burst of at least 1, a positive rate)");
    }
  }

  private static IllegalArgumentException refused(String value, String why) {
    return new IllegalArgumentException(
        "ec2-rate-limits must be true, false or a list of class=burst/refill-per-second"
            + " and share=fraction (classes: "
            + Stream.of(Bucket.values()).map(b -> b.flagName).collect(Collectors.joining(", "))
            + "; e.g. run=5/2,run-instances=1000/2 or share=1/2), was '"
            + value
            + "': "
            + why);
  }

  /** As the flag writes it, every bucket. */
  @Override
  public String toString() {
    return Stream.of(Bucket.values())
        .map(b -> b.flagName + "=" + of(b))
        .collect(Collectors.joining(","));
  }
}
