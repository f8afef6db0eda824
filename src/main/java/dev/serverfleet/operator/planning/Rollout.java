package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.List;

/**
 * How many current-revision instances to launch and which instances to terminate, given the
 * healthy pool: Deployment's arithmetic for RollingUpdate (never more than replicas + maxSurge
 * live or launching, never fewer than replicas − maxUnavailable available because of a
 * termination), Recreate (every old instance goes before a new one is launched), paused (scale
 * only), and zone rebalancing that launches before it terminates.
 */
final class Rollout {
  record Decision(int launch, List<Termination> terminations, int protectedOutdated) {}

  private final PlanInput in;
  private final FleetView view;
  private final Victims victims;

  Rollout(PlanInput in, FleetView view, Victims victims) {
    this.in = in;
    this.view = view;
    this.victims = victims;
  }

  /**
   * @param pool live (pending or running) owned instances that are not being replaced for health
   * @param inFlightCurrent instances launching on the current revision
   * @param inFlightOld instances launching on an older revision (they will appear and be rolled)
   */
  Decision decide(List<Instance> pool, int inFlightCurrent, int inFlightOld) {
    int replicas = in.replicas();
    List<Instance> fresh = new ArrayList<>(pool.stream().filter(view::current).toList());
    List<Instance> old = new ArrayList<>(pool.stream().filter(i -> !view.current(i)).toList());
    int protectedOld = (int) old.stream().filter(FleetView::isProtected).count();
    int total = pool.size() + inFlightCurrent + inFlightOld;
    List<Termination> out = new ArrayList<>();

    if (in.policy().paused()) {
      // Rollout frozen: the fleet is one group; only the count follows replicas.
      int launch = Math.max(0, replicas - total);
      List<Instance> all = new ArrayList<>(pool);
      victims.take(all, Math.max(0, pool.size() - replicas))
          .forEach(v -> out.add(termination(v, Termination.Reason.SCALE_IN)));
      return new Decision(launch, out, protectedOld);
    }

    int freshTotal = fresh.size() + inFlightCurrent;
    int targetFresh = Math.max(0, replicas - protectedOld);

    if (in.policy().strategy() == Policy.Strategy.RECREATE) {
      List<Instance> removable = new ArrayList<>(old.stream().filter(i -> !FleetView.isProtected(i)).toList());
      if (!removable.isEmpty() || inFlightOld > 0) {
        victims.take(removable, removable.size()).forEach(v -> out.add(termination(v, Termination.Reason.ROLLOUT)));
        return new Decision(0, out, protectedOld);
      }
      victims.take(fresh, Math.max(0, fresh.size() - targetFresh))
          .forEach(v -> out.add(termination(v, Termination.Reason.SCALE_IN)));
      return new Decision(Math.max(0, targetFresh - freshTotal), out, protectedOld);
    }

    RolloutBounds bounds = in.policy().bounds();
    int launch = Math.max(0, Math.min(targetFresh - freshTotal, replicas + bounds.maxSurge() - total));
    int minAvailable = replicas - bounds.maxUnavailable();
    int available = (int) pool.stream().filter(view::available).count();
    int freshUnavailable = freshTotal - (int) fresh.stream().filter(view::available).count();

    // Old instances: Deployment's budget (maxScaledDown) keeps enough instances that could still
    // become available; an unavailable old instance beyond replicas costs nothing and goes too.
    // Available old instances go only while availability stays at or above minAvailable.
    int maxScaledDown = total - minAvailable - freshUnavailable;
    int remaining = total;
    List<Instance> oldRemovable = new ArrayList<>(old.stream().filter(i -> !FleetView.isProtected(i)).toList());
    while (!oldRemovable.isEmpty()) {
      Instance v = victims.next(oldRemovable);
      if (view.available(v)) {
        if (maxScaledDown <= 0 || available - 1 < minAvailable) {
          break;
        }
        available--;
      } else if (maxScaledDown <= 0 && remaining <= replicas) {
        break;
      }
      oldRemovable.remove(v);
      victims.taken(v);
      out.add(termination(v, Termination.Reason.ROLLOUT));
      maxScaledDown--;
      remaining--;
    }

    // More current instances than wanted (replicas went down, or a rebalance launch became
    // available). An available victim goes only while availability stays at minAvailable; an
    // unavailable one only if its going does not unbalance the subnets (it may be the very launch
    // that rebalances them).
    // Counted on live instances only: launches in flight may never appear.
    int excess = fresh.size() - targetFresh;
    List<Instance> freshRemovable = new ArrayList<>(fresh);
    while (excess > 0) {
      Instance chosen = null;
      for (Instance v : victims.ordered(freshRemovable)) {
        int imbalanceAfter = victims.imbalanceWithout(v);
        boolean allowed = view.available(v) ? available - 1 >= minAvailable
            : imbalanceAfter <= 1 || imbalanceAfter < victims.imbalance();
        if (allowed) {
          chosen = v;
          break;
        }
      }
      if (chosen == null) {
        break;
      }
      if (view.available(chosen)) {
        available--;
      }
      freshRemovable.remove(chosen);
      victims.taken(chosen);
      out.add(termination(chosen, Termination.Reason.SCALE_IN));
      excess--;
    }

    if (launch == 0 && out.isEmpty() && steady(pool, total, inFlightCurrent + inFlightOld)
        && total < replicas + bounds.maxSurge()) {
      return new Decision(rebalanceLaunch(), out, protectedOld);
    }
    return new Decision(launch, out, protectedOld);
  }

  private boolean steady(List<Instance> pool, int total, int inFlight) {
    return inFlight == 0 && total == in.replicas() && in.avoidSubnets().isEmpty()
        && pool.stream().allMatch(i -> view.current(i) && view.available(i));
  }

  /** One launch into the emptiest subnet when the listed subnets differ by more than one. */
  private int rebalanceLaunch() {
    return victims.imbalance() > 1 ? 1 : 0;
  }

  private static Termination termination(Instance i, Termination.Reason reason) {
    return new Termination(i.id(), i.subnetId(), reason);
  }
}
