package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.Ec2Buckets;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's settings, from {@code --flag=value} arguments or the matching {@code SF_*}
 * environment variables (flags win). AWS credentials are never settings: they come from the AWS
 * SDK's default chain (IRSA, Pod Identity, instance profile, environment).
 *
 * @param namespaces empty means every namespace
 * @param fastPollInterval how often instances in flux are described by id between polls; zero turns
 *     the fast lane off
 * @param ec2RateLimits the sizes of EC2's account buckets the client keeps calls within
 *     (cloud/Ec2RateLimits); empty: no client-side limits
 * @param unavailableOfferingTtl how long an offering (capacity type × instance type × zone) that
 *     answered a launch with no capacity is avoided by every fleet
 * @param selectorRefreshInterval how often each distinct selector (amiSelector, subnetSelector,
 *     securityGroupSelector) is looked up again, for all fleets that use it
 * @param interruptionQueue the SQS queue URL EventBridge fills with EC2's interruption, rebalance,
 *     scheduled-change and state-change events; empty: no queue is consumed
 */
public record OperatorConfig(
    String clusterName,
    String region,
    Optional<URI> ec2Endpoint,
    Duration pollInterval,
    Set<String> namespaces,
    int managementPort,
    boolean sdkRetries,
    boolean leaderElection,
    String leaseName,
    Optional<String> leaseNamespace,
    Optional<String> labelSelector,
    String logFormat,
    Duration orphanGrace,
    Duration fastPollInterval,
    Optional<Ec2Buckets> ec2RateLimits,
    Duration unavailableOfferingTtl,
    Duration selectorRefreshInterval,
    Optional<String> interruptionQueue) {

  static final List<Option> OPTIONS =
      List.of(
          new Option(
              "cluster-name",
              "SF_CLUSTER_NAME",
              "default",
              "name of this operator's cluster, tagged on every instance as serverfleet.dev/cluster"),
          new Option("region", "AWS_REGION", null, "AWS region of the fleets (required)"),
          new Option(
              "ec2-endpoint",
              "SF_EC2_ENDPOINT",
              null,
              "EC2 endpoint override, e.g. http://127.0.0.1:5000"),
          new Option(
              "poll-interval",
              "SF_POLL_INTERVAL",
              "30s",
              "how often all instances are described: 10s, 1m, PT30S"),
          new Option(
              "fast-poll-interval",
              "SF_FAST_POLL_INTERVAL",
              "2s",
              "how often instances in flux (pending, stopping, shutting-down) are described by id"
                  + " between polls, backing off to the poll interval; 0s turns it off"),
          new Option(
              "namespaces",
              "SF_WATCH_NAMESPACES",
              "",
              "comma-separated namespaces to watch; empty = all"),
          new Option(
              "management-port",
              "SF_MANAGEMENT_PORT",
              "8080",
              "port of /metrics, /healthz, /readyz"),
          new Option(
              "sdk-retries",
              "SF_SDK_RETRIES",
              "true",
              "let the AWS SDK retry throttled and failed calls"),
          new Option(
              "ec2-rate-limits",
              "SF_EC2_RATE_LIMITS",
              "true",
              "wait for EC2's request limits (token buckets per action class, shared fairly by"
                  + " the fleets, slowed down further when EC2 throttles) instead of running into"
                  + " RequestLimitExceeded: true (EC2's defaults), false (off), or an account's"
                  + " raised limits as burst/refill-per-second, e.g. describe=100/20,run=5/2,"
                  + "run-instances=1000/2,terminate=100/5,tags=100/10 (classes not named keep"
                  + " EC2's defaults)"),
          new Option(
              "leader-election",
              "SF_LEADER_ELECTION",
              "false",
              "elect one active replica through a Lease (run several replicas for high availability)"),
          new Option(
              "lease-name",
              "SF_LEADER_ELECTION_NAME",
              "serverfleet-operator",
              "name of the leader-election Lease"),
          new Option(
              "lease-namespace",
              "SF_LEADER_ELECTION_NAMESPACE",
              "",
              "namespace of the Lease; empty = the namespace of the operator's service account"),
          new Option(
              "label-selector",
              "SF_LABEL_SELECTOR",
              "",
              "only ServerFleets matching this label selector (shard a large estate across deployments)"),
          new Option("log-format", "SF_LOG_FORMAT", "plain", "plain or json"),
          new Option(
              "orphan-grace",
              "SF_ORPHAN_GRACE",
              "10m",
              "instances of this cluster whose fleet no longer exists are terminated after this long"),
          new Option(
              "unavailable-offering-ttl",
              "SF_UNAVAILABLE_OFFERING_TTL",
              "3m",
              "how long an instance type in a zone that answered a launch with no capacity"
                  + " (InsufficientInstanceCapacity, ...) is avoided by every fleet"),
          new Option(
              "selector-refresh-interval",
              "SF_SELECTOR_REFRESH_INTERVAL",
              "5m",
              "how often each distinct amiSelector, subnetSelector and securityGroupSelector is"
                  + " looked up again (one call per selector for all fleets); a new answer rolls"
                  + " the fleets that use it"),
          new Option(
              "interruption-queue",
              "SF_INTERRUPTION_QUEUE",
              "",
              "SQS queue URL that EventBridge fills with EC2 spot interruption warnings, rebalance"
                  + " recommendations, AWS Health scheduled changes and state changes"
                  + " (deploy/aws/); empty = off"));

  record Option(String flag, String env, String defaultValue, String help) {}

  public OperatorConfig {
    if (clusterName == null || !clusterName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
      throw new IllegalArgumentException(
          "cluster-name must be 1-63 letters, digits, '.', '_' or '-', was: " + clusterName);
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region is required: pass --region or set AWS_REGION");
    }
    if (pollInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("poll-interval must be at least 1s");
    }
    namespaces = Set.copyOf(namespaces);
    if (fastPollInterval.isNegative()
        || !fastPollInterval.isZero() && fastPollInterval.compareTo(Duration.ofMillis(500)) < 0) {
      throw new IllegalArgumentException("fast-poll-interval must be 0s or at least 500ms");
    }
    if (unavailableOfferingTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("unavailable-offering-ttl must be at least 1s");
    }
    if (selectorRefreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("selector-refresh-interval must be at least 1s");
    }
    interruptionQueue = interruptionQueue.filter(q -> !q.isBlank());
    if (interruptionQueue.isPresent() && !interruptionQueue.get().matches("^https?://[^/]+/.+")) {
      throw new IllegalArgumentException(
          "interruption-queue must be an SQS queue URL (https://sqs.<region>.amazonaws.com/"
              + "<account>/<name>), was: "
              + interruptionQueue.get());
    }
    if (orphanGrace.isNegative()) {
      throw new IllegalArgumentException("orphan-grace must not be negative");
    }
    if (!logFormat.equals("plain") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("log-format must be plain or json, was: " + logFormat);
    }
  }

  /** As this configuration with another orphan grace period. */
  public OperatorConfig withOrphanGrace(Duration grace) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        grace,
        fastPollInterval,
        ec2RateLimits,
        unavailableOfferingTtl,
        selectorRefreshInterval,
        interruptionQueue);
  }

  /** As this configuration with another unavailable-offering TTL. */
  public OperatorConfig withUnavailableOfferingTtl(Duration ttl) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        orphanGrace,
        fastPollInterval,
        ec2RateLimits,
        ttl,
        selectorRefreshInterval,
        interruptionQueue);
  }

  /** As this configuration consuming this interruption queue (an SQS queue URL). */
  public OperatorConfig withInterruptionQueue(String queueUrl) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        orphanGrace,
        fastPollInterval,
        ec2RateLimits,
        unavailableOfferingTtl,
        selectorRefreshInterval,
        Optional.of(queueUrl));
  }

  /** As this configuration with another fast-lane interval (zero: off). */
  public OperatorConfig withFastPollInterval(Duration interval) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        orphanGrace,
        interval,
        ec2RateLimits,
        unavailableOfferingTtl,
        selectorRefreshInterval,
        interruptionQueue);
  }

  /** As this configuration with the client's EC2 buckets of these sizes (empty: off). */
  public OperatorConfig withEc2RateLimits(Optional<Ec2Buckets> sizes) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        orphanGrace,
        fastPollInterval,
        sizes,
        unavailableOfferingTtl,
        selectorRefreshInterval,
        interruptionQueue);
  }

  /** As this configuration with another selector refresh interval. */
  public OperatorConfig withSelectorRefreshInterval(Duration interval) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        namespaces,
        managementPort,
        sdkRetries,
        leaderElection,
        leaseName,
        leaseNamespace,
        labelSelector,
        logFormat,
        orphanGrace,
        fastPollInterval,
        ec2RateLimits,
        unavailableOfferingTtl,
        interval,
        interruptionQueue);
  }

  /** The settings an in-process test needs; everything else at its default. */
  public static OperatorConfig of(
      String clusterName, String region, Optional<URI> ec2Endpoint, Duration pollInterval) {
    return new OperatorConfig(
        clusterName,
        region,
        ec2Endpoint,
        pollInterval,
        Set.of(),
        0,
        false,
        false,
        "serverfleet-operator",
        Optional.empty(),
        Optional.empty(),
        "plain",
        Duration.ofMinutes(10),
        Duration.ofSeconds(2),
        Optional.empty(),
        Duration.ofMinutes(3),
        Duration.ofMinutes(5),
        Optional.empty());
  }

  public static OperatorConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new IllegalArgumentException(usage());
      }
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + usage());
      }
      String name = arg.substring(2, arg.indexOf('='));
      if (OPTIONS.stream().noneMatch(o -> o.flag().equals(name))) {
        throw new IllegalArgumentException("unknown flag --" + name + "\n" + usage());
      }
      flags.put(name, arg.substring(arg.indexOf('=') + 1));
    }
    Map<String, String> v = new HashMap<>();
    for (Option o : OPTIONS) {
      String value = Optional.ofNullable(flags.get(o.flag())).orElseGet(() -> env.get(o.env()));
      if (value == null && o.env().equals("AWS_REGION")) {
        value = env.get("AWS_DEFAULT_REGION");
      }
      v.put(o.flag(), value == null ? o.defaultValue() : value);
    }
    return new OperatorConfig(
        v.get("cluster-name"),
        v.get("region"),
        Optional.ofNullable(v.get("ec2-endpoint")).filter(s -> !s.isBlank()).map(URI::create),
        duration(v.get("poll-interval")),
        new LinkedHashSet<>(
            Arrays.stream(v.get("namespaces").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList()),
        Integer.parseInt(v.get("management-port")),
        Boolean.parseBoolean(v.get("sdk-retries")),
        Boolean.parseBoolean(v.get("leader-election")),
        v.get("lease-name"),
        Optional.of(v.get("lease-namespace")).filter(s -> !s.isBlank()),
        Optional.of(v.get("label-selector")).filter(s -> !s.isBlank()),
        v.get("log-format"),
        duration(v.get("orphan-grace")),
        duration(v.get("fast-poll-interval")),
        Ec2Buckets.parse(v.get("ec2-rate-limits")),
        duration(v.get("unavailable-offering-ttl")),
        duration(v.get("selector-refresh-interval")),
        Optional.of(v.get("interruption-queue")).filter(q -> !q.isBlank()));
  }

  /** Accepts 500ms, 10s, 5m, 1h or ISO-8601 (PT30S). */
  static Duration duration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a duration: '" + s + "' (use e.g. 10s, 1m, PT30S)");
    }
  }

  static String usage() {
    StringBuilder b =
        new StringBuilder("usage: java -jar serverfleet-operator.jar [--flag=value ...]\n");
    for (Option o : OPTIONS) {
      b.append(
          String.format(
              "  --%-16s %-20s %s%s%n",
              o.flag(),
              "(" + o.env() + ")",
              o.help(),
              o.defaultValue() == null || o.defaultValue().isEmpty()
                  ? ""
                  : " [" + o.defaultValue() + "]"));
    }
    return b.toString();
  }
}
