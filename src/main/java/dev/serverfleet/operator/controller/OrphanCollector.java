package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminates instances that carry this operator's cluster tag but belong to no existing fleet:
 * their fleet was deleted, or a launch of unknown outcome surfaced after its fleet had gone. An
 * instance is an orphan when the API server has no ServerFleet of its {@code serverfleet.dev/fleet}
 * name, or one with another uid; it is terminated once it has been an orphan for the grace period,
 * with a log line and {@code serverfleet_orphans_terminated_total}. Instances released by
 * deletionPolicy Retain carry no ownership tags and are never seen here.
 *
 * <p>Runs on the sweep thread after each successful sweep. Fleets are looked up in the informer's
 * cache first and, only when that does not show the fleet with the instance's uid, by a GET (the
 * cache may lag, and sharding by label selector hides other shards' fleets from it). Namespaces
 * this operator does not watch are not its to judge.
 */
public final class OrphanCollector implements Consumer<Map<ResourceID, Set<Instance>>> {
  private static final Logger log = LoggerFactory.getLogger(OrphanCollector.class);

  /** Where fleets are looked up: the informer's cache and the API server. */
  public interface Fleets {
    Optional<ServerFleet> cached(ResourceID id);

    /**
     * The fleet as the API server has it now, empty when it does not exist. Throws when it cannot
     * tell.
     */
    Optional<ServerFleet> get(ResourceID id);
  }

  private final Ec2Port ec2;
  private final String clusterName;
  private final Duration grace;
  private final Clock clock;
  private final Predicate<String> watchedNamespace;
  private final Counter terminated;
  private final Map<String, Instant> orphanSince = new HashMap<>();
  private final FleetDirectory fleets;

  public OrphanCollector(
      Ec2Port ec2,
      String clusterName,
      Duration grace,
      Clock clock,
      Predicate<String> watchedNamespace,
      FleetDirectory fleets,
      MeterRegistry registry) {
    this.ec2 = ec2;
    this.fleets = fleets;
    this.clusterName = clusterName;
    this.grace = grace;
    this.clock = clock;
    this.watchedNamespace = watchedNamespace;
    this.terminated =
        Counter.builder("serverfleet.orphans.terminated")
            .description("Instances terminated because their fleet no longer exists")
            .register(registry);
  }

  @Override
  public synchronized void accept(Map<ResourceID, Set<Instance>> swept) {
    Fleets lookup = fleets;
    if (!fleets.ready()) {
      return;
    }
    Instant now = clock.instant();
    Map<String, Instant> still = new HashMap<>();
    List<Instance> due = new ArrayList<>();
    Map<ResourceID, Optional<String>> uids = new HashMap<>();
    swept.forEach(
        (fleet, instances) -> {
          if (!watchedNamespace.test(fleet.getNamespace().orElse(""))) {
            return;
          }
          for (Instance i : instances) {
            if (!i.state().isLive() && !i.state().isStopped()
                || !clusterName.equals(i.tag(OwnershipTags.CLUSTER))) {
              continue;
            }
            String uid = i.tag(OwnershipTags.FLEET_UID);
            if (!isOrphan(lookup, fleet, uid, uids)) {
              continue;
            }
            Instant since = orphanSince.getOrDefault(i.id(), now);
            still.put(i.id(), since);
            if (!now.isBefore(since.plus(grace))) {
              due.add(i);
            }
          }
        });
    orphanSince.clear();
    orphanSince.putAll(still);
    if (!due.isEmpty()) {
      terminate(due);
    }
  }

  private static boolean isOrphan(
      Fleets lookup, ResourceID fleet, String uid, Map<ResourceID, Optional<String>> uids) {
    Function<Optional<ServerFleet>, Optional<String>> uidOf =
        f -> f.map(x -> x.getMetadata().getUid());
    if (uid != null && uid.equals(uidOf.apply(lookup.cached(fleet)).orElse(null))) {
      return false;
    }
    try {
      Optional<String> live = uids.computeIfAbsent(fleet, id -> uidOf.apply(lookup.get(id)));
      return uid == null || !uid.equals(live.orElse(null));
    } catch (RuntimeException e) {
      log.debug("cannot tell whether fleet {} exists: {}", fleet, e.toString());
      return false;
    }
  }

  private void terminate(List<Instance> due) {
    List<String> ids = due.stream().map(Instance::id).toList();
    try {
      ec2.terminate(ids);
      terminated.increment(ids.size());
      ids.forEach(orphanSince::remove);
      due.forEach(
          i ->
              log.warn(
                  "terminated orphan instance {} of fleet {} (uid {}): no such fleet for {}",
                  i.id(),
                  i.tag(OwnershipTags.FLEET),
                  i.tag(OwnershipTags.FLEET_UID),
                  grace));
    } catch (CloudException e) {
      log.warn("terminating orphan instances {} failed ({}): {}", ids, e.code(), e.getMessage());
    }
  }
}
