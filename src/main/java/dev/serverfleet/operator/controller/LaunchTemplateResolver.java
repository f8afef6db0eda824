package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.cloud.LaunchTemplates;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which version a launch template reference means now, shared by every fleet of the operator: one
 * DescribeLaunchTemplateVersions per distinct reference (template by id or name, version as
 * written) per refresh period (the poll interval), however many fleets use it and however often
 * they reconcile. Fleets asking at once wait for the one call in flight.
 *
 * <p>What a refresh does with the entry of a reference:
 *
 * <table>
 *   <caption>refresh outcomes</caption>
 *   <tr><th>EC2 answers</th><th>the entry keeps</th><th>fleets are given</th></tr>
 *   <tr><td>a version</td><td>it as the last good, no failure</td><td>the version</td></tr>
 *   <tr><td>a terminal error (no such template or version, access denied)</td>
 *       <td>the last good and the failure</td><td>the failure: the fleet holds</td></tr>
 *   <tr><td>a retryable error (throttled, 5xx, no answer)</td><td>the last good and the
 *       failure</td><td>the last good if there is one, else the failure</td></tr>
 * </table>
 *
 * A failed refresh waits for the next period as a good one does, so a missing template costs one
 * call per period, not one per pass.
 */
final class LaunchTemplateResolver {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(LaunchTemplateResolver.class);

  /** What a reference resolves to now: a version, or why not. */
  record Resolution(Optional<LaunchTemplateVersion> version, Optional<String> failure) {
    static Resolution of(LaunchTemplateVersion v) {
      return new Resolution(Optional.of(v), Optional.empty());
    }

    static Resolution failed(String why) {
      return new Resolution(Optional.empty(), Optional.of(why));
    }
  }

  /** A reference as the cache knows it: the version defaulted as EC2 defaults it. */
  record Key(String id, String name, String version) {
    static Key of(LaunchTemplateRef ref) {
      return new Key(
          ref.getId(),
          ref.getName(),
          Optional.ofNullable(ref.getVersion()).orElse(LaunchTemplateRef.DEFAULT_VERSION));
    }

    String describe() {
      return "launch template " + (id != null ? id : name) + " version " + version;
    }
  }

  private final LaunchTemplates port;
  private final Duration refresh;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  LaunchTemplateResolver(LaunchTemplates port, Duration refresh, Clock clock) {
    this.port = port;
    this.refresh = refresh;
    this.clock = clock;
  }

  Duration refresh() {
    return refresh;
  }

  Resolution resolve(LaunchTemplateRef ref) {
    Key key = Key.of(ref);
    return entries.computeIfAbsent(key, Entry::new).get(clock.instant());
  }

  /** One reference's last good version, last failure, and when EC2 was last asked. */
  private final class Entry {
    private final Key key;
    private LaunchTemplateVersion good;
    private CloudException failure;
    private Instant askedAt;

    Entry(Key key) {
      this.key = key;
    }

    synchronized Resolution get(Instant now) {
      if (askedAt == null || !now.isBefore(askedAt.plus(refresh))) {
        ask(now);
      }
      if (failure == null) {
        return Resolution.of(good);
      }
      boolean terminal = failure.errorClass() == ErrorClass.TERMINAL;
      if (!terminal && good != null) {
        return Resolution.of(good);
      }
      return Resolution.failed(
          "spec.template.launchTemplate: "
              + key.describe()
              + (terminal ? ": " : " could not be resolved yet: ")
              + failure.getMessage()
              + " ("
              + failure.code()
              + ")");
    }

    private void ask(Instant now) {
      askedAt = now;
      try {
        good = port.describe(key.id(), key.name(), key.version());
        failure = null;
      } catch (CloudException e) {
        failure = e;
        log.warn("{}: {} ({})", key.describe(), e.getMessage(), e.code());
      }
    }
  }
}
