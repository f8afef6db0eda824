package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance inside {@link FakeEc2}: its current state plus at most one scheduled state change
 * (pending → running, shutting-down → terminated). Not thread-safe; FakeEc2 guards it.
 */
final class FakeInstance {
  private Instance instance;
  private Instant terminatedAt;
  private InstanceState next;
  private Instant nextAt;

  /** Before this instant DescribeInstances does not see the instance (eventual consistency). */
  final Instant visibleAt;

  FakeInstance(Instance instance, Instant visibleAt) {
    this.instance = instance;
    this.visibleAt = visibleAt;
  }

  String id() {
    return instance.id();
  }

  InstanceState state() {
    return instance.state();
  }

  /** When the instance became terminated, or null. */
  Instant terminatedAt() {
    return terminatedAt;
  }

  /** The state this instance is scheduled to reach, or null. */
  InstanceState pendingState() {
    return next;
  }

  Instance view() {
    return instance;
  }

  void transition(InstanceState to, Instant at) {
    next = to;
    nextAt = at;
  }

  /** Applies the scheduled change once it is due. */
  void advance(Instant now) {
    if (next != null && !now.isBefore(nextAt)) {
      instance = instance.withState(next);
      if (next == InstanceState.TERMINATED) {
        terminatedAt = nextAt;
      }
      next = null;
      nextAt = null;
    }
  }

  void shutDown(Instant terminatedAt) {
    instance = instance.withState(InstanceState.SHUTTING_DOWN);
    transition(InstanceState.TERMINATED, terminatedAt);
  }

  void stop() {
    instance = instance.withState(InstanceState.STOPPED);
    next = null;
    nextAt = null;
  }

  void removeTags(Collection<String> keys) {
    Map<String, String> tags = new HashMap<>(instance.tags());
    tags.keySet().removeAll(keys);
    Instance i = instance;
    instance =
        new Instance(
            i.id(),
            i.state(),
            i.imageId(),
            i.instanceType(),
            i.subnetId(),
            i.zone(),
            i.privateIp(),
            i.launchTime(),
            tags,
            i.health(),
            i.spot());
  }
}
