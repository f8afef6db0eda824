package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shared observation of EC2: a single paginated DescribeInstances for every instance this
 * operator owns, whatever the number of fleets, grouped by the {@code serverfleet.dev/fleet} tag
 * into each fleet's secondary resources. Only the running instances of fleets that want EC2 status
 * checks are then asked about in DescribeInstanceStatus, and not at all when no fleet wants them.
 *
 * <p>A failed DescribeInstances fails the poll: an empty answer would tell JOSDK that every
 * instance is gone. A failed DescribeInstanceStatus does not: the poll succeeds with those
 * instances' health {@link Health#UNKNOWN} (not ready, never replaced as unhealthy) and a warning.
 */
public final class InstancePoller implements PollingEventSource.GenericResourceFetcher<Instance> {
  public static final String NAME = "ec2-instances";
  private static final Logger log = LoggerFactory.getLogger(InstancePoller.class);

  private final Ec2Port ec2;
  private final String clusterName;
  private final Predicate<ResourceID> wantsStatusChecks;

  /**
   * @param wantsStatusChecks whether a fleet (namespace and name) judges health by EC2 status
   *     checks; asked once per fleet seen in each poll, so it should be a cheap cache look-up
   */
  public InstancePoller(Ec2Port ec2, String clusterName, Predicate<ResourceID> wantsStatusChecks) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    this.wantsStatusChecks = Objects.requireNonNull(wantsStatusChecks, "wantsStatusChecks");
  }

  public static PollingEventSource<Instance, ServerFleet, String> eventSource(
      Ec2Port ec2, String clusterName, Duration period, Predicate<ResourceID> wantsStatusChecks) {
    return new PollingEventSource<>(
        Instance.class,
        new PollingConfigurationBuilder<Instance, String>(
                new InstancePoller(ec2, clusterName, wantsStatusChecks), period)
            .withName(NAME)
            .withResourceIDMapper(Instance::id)
            .build());
  }

  @Override
  public Map<ResourceID, Set<Instance>> fetchResources() {
    return poll();
  }

  /**
   * One observation: every owned instance by fleet, with status-check health for the fleets that
   * want it. Throws {@link CloudException} only when DescribeInstances fails.
   */
  public Map<ResourceID, Set<Instance>> poll() {
    Map<ResourceID, Set<Instance>> byFleet = groupByFleet(ec2.describeOwned(clusterName));
    Set<ResourceID> checked =
        byFleet.keySet().stream().filter(wantsStatusChecks).collect(Collectors.toSet());
    List<String> running =
        checked.stream()
            .flatMap(fleet -> byFleet.get(fleet).stream())
            .filter(i -> i.state() == InstanceState.RUNNING)
            .map(Instance::id)
            .toList();
    if (running.isEmpty()) {
      return byFleet;
    }
    Map<String, Health> health;
    try {
      health = ec2.describeHealth(running);
    } catch (CloudException e) {
      log.warn(
          "DescribeInstanceStatus failed ({}: {}); health of {} running instance(s) is UNKNOWN until the "
              + "next poll",
          e.code(),
          e.getMessage(),
          running.size());
      return byFleet;
    }
    for (ResourceID fleet : checked) {
      byFleet.put(
          fleet,
          byFleet.get(fleet).stream()
              .map(i -> i.withHealth(health.getOrDefault(i.id(), Health.UNKNOWN)))
              .collect(Collectors.toCollection(HashSet::new)));
    }
    return byFleet;
  }

  /** Instances whose fleet tag is missing or malformed belong to no fleet and are left out. */
  static Map<ResourceID, Set<Instance>> groupByFleet(List<Instance> instances) {
    Map<ResourceID, Set<Instance>> byFleet = new HashMap<>();
    for (Instance instance : instances) {
      String fleet = instance.tag(OwnershipTags.FLEET);
      int slash = fleet == null ? -1 : fleet.indexOf('/');
      if (slash <= 0 || slash == fleet.length() - 1) {
        continue;
      }
      ResourceID id = new ResourceID(fleet.substring(slash + 1), fleet.substring(0, slash));
      byFleet.computeIfAbsent(id, k -> new HashSet<>()).add(instance);
    }
    return byFleet;
  }
}
