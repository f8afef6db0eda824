package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PollingEventSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one shared observation of EC2: a single paginated DescribeInstances for every instance this
 * operator owns, whatever the number of fleets, grouped by the {@code serverfleet.dev/fleet} tag
 * into each fleet's secondary resources, joined with one DescribeInstanceStatus sweep for the
 * status checks of running instances. A failed poll throws: an empty answer would tell JOSDK that
 * every instance is gone.
 */
public final class InstancePoller implements PollingEventSource.GenericResourceFetcher<Instance> {
  public static final String NAME = "ec2-instances";

  private final Ec2Port ec2;
  private final String clusterName;

  public InstancePoller(Ec2Port ec2, String clusterName) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
  }

  public static PollingEventSource<Instance, ServerFleet, String> eventSource(Ec2Port ec2, String clusterName,
      Duration period) {
    return new PollingEventSource<>(Instance.class,
        new PollingConfigurationBuilder<Instance, String>(new InstancePoller(ec2, clusterName), period)
            .withName(NAME)
            .withResourceIDMapper(Instance::id)
            .build());
  }

  @Override
  public Map<ResourceID, Set<Instance>> fetchResources() {
    List<Instance> owned = ec2.describeOwned(clusterName);
    if (owned.stream().anyMatch(i -> i.state() == InstanceState.RUNNING)) {
      Map<String, Health> health = ec2.describeHealth();
      owned = owned.stream().map(i -> i.withHealth(health.getOrDefault(i.id(), Health.UNKNOWN))).toList();
    }
    return groupByFleet(owned);
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
