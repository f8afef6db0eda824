package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Health;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Instant;

/**
 * The planner's reading of one instance against the fleet's policy: ready, available, unhealthy,
 * outdated, protected. Pure, like the planner.
 */
public final class InstanceChecks {
  private final PlanInput in;

  public InstanceChecks(PlanInput in) {
    this.in = in;
  }

  public boolean owned(Instance i) {
    return i.ownedBy(in.clusterName(), in.fleetUid());
  }

  /** On its way out through the drain stage: never ready, never chosen again. */
  public boolean draining(Instance i) {
    return in.draining().contains(i.id());
  }

  /** Tagged as the fleet's readiness gate asks, or the fleet has no gate. */
  public boolean gated(Instance i) {
    Policy.ReadyTag tag = in.policy().readyTag();
    return tag == null || tag.value().equals(i.tag(tag.key()));
  }

  /** Running, not draining, through the readiness gate, and passing status checks if asked. */
  public boolean ready(Instance i) {
    return i.state() == InstanceState.RUNNING
        && !draining(i)
        && gated(i)
        && (!in.policy().statusChecks() || i.health() == Health.OK);
  }

  /**
   * Ready for at least minReady; an instance first seen ready now is available only if minReady is
   * 0.
   */
  public boolean available(Instance i) {
    if (!ready(i)) {
      return false;
    }
    Instant since = in.readySince().getOrDefault(i.id(), in.now());
    return !since.plus(in.policy().minReady()).isAfter(in.now());
  }

  /**
   * Stopped, or past the grace period without passing the readiness gate or failing status checks:
   * it must be replaced.
   */
  public boolean unhealthy(Instance i) {
    if (draining(i)) {
      return false; // already going
    }
    if (i.state().isStopped()) {
      return true;
    }
    if (i.state() == InstanceState.RUNNING && !gated(i)) {
      // never passed its readiness gate within the grace period: replace it
      Instant launched = i.launchTime() == null ? in.now() : i.launchTime();
      return !launched.plus(in.policy().healthGrace()).isAfter(in.now());
    }
    if (!in.policy().statusChecks()
        || i.state() != InstanceState.RUNNING
        || i.health() != Health.IMPAIRED) {
      return false;
    }
    Instant launched = i.launchTime() == null ? in.now() : i.launchTime();
    return !launched.plus(in.policy().healthGrace()).isAfter(in.now());
  }

  /** AWS's notice that it will take the instance, or null: the instance is not doomed. */
  public dev.serverfleet.operator.fleet.Interruption interruption(Instance i) {
    return in.interruptions().doomed().get(i.id());
  }

  /** On the current revision and in a subnet the spec lists: otherwise a rollout replaces it. */
  public boolean current(Instance i) {
    return in.revision().equals(i.tag(OwnershipTags.REVISION))
        && in.subnetIds().contains(i.subnetId());
  }
}
