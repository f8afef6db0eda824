package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import java.util.ArrayList;
import java.util.List;

/**
 * How many current-revision instances to launch and which instances to terminate, given the healthy
 * pool: Deployment's arithmetic for RollingUpdate (never more than replicas + maxSurge live or
 * launching, never fewer than replicas − maxUnavailable available because of a termination),
 * Recreate (every old instance goes before a new one is launched), paused (scale only), and zone
 * rebalancing that launches before it terminates. A checkpoint caps the current-revision instances
 * a rolling update may have ({@link PlanInput#freshCap}): it launches up to the cap and terminates
 * only the old instances those replace.
 */
final class Rollout {
  record Decision(int launch, List<Termination> terminations, int protectedOutdated) {}

  private final PlanInput in;
  private final InstanceChecks view;
  private final Victims victims;

  Rollout(PlanInput in, InstanceChecks view, Victims victims) {
    this.in = in;
    this.view = view;
    this.victims = victims;
  }

  /** The pool split by revision, and what is launching: the counts every strategy decides on. */
  private record Fleet(
      List<Instance> pool,
      List<Instance> fresh,
      List<Instance> old,
      int protectedOld,
      int inFlightCurrent,
      int inFlightOld,
      int draining) {

    int total() {
      return pool.size() + inFlightCurrent + inFlightOld;
    }

    /** What still runs or will: the total, and instances draining before their termination. */
    int occupied() {
      return total() + draining;
    }

    int freshTotal() {
      return fresh.size() + inFlightCurrent;
    }
  }

  /**
   * @param pool live (pending or running) owned instances that are not being replaced for health
   * @param inFlightCurrent instances launching on the current revision
   * @param inFlightOld instances launching on an older revision (they will appear and be rolled)
   * @param draining live instances draining before their termination: not in the pool, but they
   *     still run, so launches wait for them beyond maxSurge
   */
  Decision decide(List<Instance> pool, int inFlightCurrent, int inFlightOld, int draining) {
    List<Instance> fresh = new ArrayList<>(pool.stream().filter(view::current).toList());
    List<Instance> old = new ArrayList<>(pool.stream().filter(i -> !view.current(i)).toList());
    int protectedOld = (int) old.stream().filter(Instance::isProtected).count();
    Fleet fleet = new Fleet(pool, fresh, old, protectedOld, inFlightCurrent, inFlightOld, draining);
    Decision decision;
    if (in.policy().paused()) {
      decision = paused(fleet);
    } else if (in.policy().strategy() == Policy.Strategy.RECREATE) {
      decision = recreate(fleet);
    } else {
      decision = rollingUpdate(fleet);
    }
    return withinSurge(decision, fleet);
  }

  /**
   * A draining instance still runs: launches beyond replicas + maxSurge wait for its termination
   * (Recreate: for every old one to go). Without draining instances, nothing changes.
   */
  private Decision withinSurge(Decision d, Fleet f) {
    if (f.draining() == 0) {
      return d;
    }
    int room = in.replicas() + in.policy().bounds().maxSurge() - f.occupied();
    boolean recreateWaits =
        in.policy().strategy() == Policy.Strategy.RECREATE && !in.policy().paused();
    int launch = recreateWaits ? 0 : Math.max(0, Math.min(d.launch(), room));
    return new Decision(launch, d.terminations(), d.protectedOutdated());
  }

  /** Rollout frozen: the fleet is one group; only the count follows replicas. */
  private Decision paused(Fleet f) {
    List<Termination> out = new ArrayList<>();
    victims
        .take(new ArrayList<>(f.pool()), Math.max(0, f.pool().size() - in.replicas()))
        .forEach(v -> out.add(termination(v, Termination.Reason.SCALE_IN)));
    return new Decision(Math.max(0, in.replicas() - f.total()), out, f.protectedOld());
  }

  /** Every old instance (and old launch) goes before a new one is launched. */
  private Decision recreate(Fleet f) {
    List<Termination> out = new ArrayList<>();
    List<Instance> removable =
        new ArrayList<>(f.old().stream().filter(i -> !i.isProtected()).toList());
    if (!removable.isEmpty() || f.inFlightOld() > 0) {
      victims
          .take(removable, removable.size())
          .forEach(v -> out.add(termination(v, Termination.Reason.ROLLOUT)));
      return new Decision(0, out, f.protectedOld());
    }
    int targetFresh = targetFresh(f);
    victims
        .take(f.fresh(), Math.max(0, f.fresh().size() - targetFresh))
        .forEach(v -> out.add(termination(v, Termination.Reason.SCALE_IN)));
    return new Decision(Math.max(0, targetFresh - f.freshTotal()), out, f.protectedOld());
  }

  /** Deployment's arithmetic, then a launch-first rebalance when the fleet is otherwise steady. */
  private Decision rollingUpdate(Fleet f) {
    RolloutBounds bounds = in.policy().bounds();
    int replicas = in.replicas();
    int launch =
        Math.max(
            0,
            Math.min(
                Math.min(targetFresh(f), in.freshCap()) - f.freshTotal(),
                replicas + bounds.maxSurge() - f.total()));
    Budget budget =
        new Budget(
            replicas - bounds.maxUnavailable(),
            (int) f.pool().stream().filter(view::available).count());
    List<Termination> out = new ArrayList<>(terminateOld(f, budget));
    out.addAll(scaleInCurrent(f, budget));
    if (launch == 0
        && out.isEmpty()
        && steady(f.pool(), f.total(), f.inFlightCurrent() + f.inFlightOld())
        && f.occupied() < replicas + bounds.maxSurge()) {
      return new Decision(rebalanceLaunch(), out, f.protectedOld());
    }
    return new Decision(launch, out, f.protectedOld());
  }

  /** How many instances may still become unavailable: available ones above minAvailable. */
  private static final class Budget {
    final int minAvailable;
    int available;

    Budget(int minAvailable, int available) {
      this.minAvailable = minAvailable;
      this.available = available;
    }

    boolean canLoseOne() {
      return available - 1 >= minAvailable;
    }
  }

  /**
   * Old instances: Deployment's budget (maxScaledDown) keeps enough instances that could still
   * become available; an unavailable old instance beyond replicas costs nothing and goes too.
   * Available old instances go only while availability stays at or above minAvailable.
   */
  private List<Termination> terminateOld(Fleet f, Budget budget) {
    int freshUnavailable =
        f.freshTotal() - (int) f.fresh().stream().filter(view::available).count();
    int maxScaledDown = f.total() - budget.minAvailable - freshUnavailable;
    int remaining = f.total();
    List<Termination> out = new ArrayList<>();
    List<Instance> oldRemovable =
        new ArrayList<>(f.old().stream().filter(i -> !i.isProtected()).toList());
    // Held at a checkpoint: the old instances the capped new ones do not replace stay.
    int mayGo = oldRemovable.size() - Math.max(0, targetFresh(f) - in.freshCap());
    while (!oldRemovable.isEmpty() && out.size() < mayGo) {
      Instance v = victims.next(oldRemovable);
      if (view.available(v)) {
        if (maxScaledDown <= 0 || !budget.canLoseOne()) {
          break;
        }
        budget.available--;
      } else if (maxScaledDown <= 0 && remaining <= in.replicas()) {
        break;
      }
      oldRemovable.remove(v);
      victims.taken(v);
      out.add(termination(v, Termination.Reason.ROLLOUT));
      maxScaledDown--;
      remaining--;
    }
    return out;
  }

  /**
   * More current instances than wanted (replicas went down, or a rebalance launch became
   * available). An available victim goes only while availability stays at minAvailable; an
   * unavailable one only if its going does not unbalance the subnets (it may be the very launch
   * that rebalances them). Counted on live instances only: launches in flight may never appear.
   */
  private List<Termination> scaleInCurrent(Fleet f, Budget budget) {
    int excess = f.fresh().size() - targetFresh(f);
    List<Termination> out = new ArrayList<>();
    List<Instance> freshRemovable = new ArrayList<>(f.fresh());
    while (excess > 0) {
      Instance chosen = null;
      for (Instance v : victims.ordered(freshRemovable)) {
        int imbalanceAfter = victims.imbalanceWithout(v);
        boolean allowed =
            view.available(v)
                ? budget.canLoseOne()
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
        budget.available--;
      }
      freshRemovable.remove(chosen);
      victims.taken(chosen);
      out.add(termination(chosen, Termination.Reason.SCALE_IN));
      excess--;
    }
    return out;
  }

  /** Current instances wanted: replicas, less the protected old ones the fleet keeps counting. */
  private int targetFresh(Fleet f) {
    return Math.max(0, in.replicas() - f.protectedOld());
  }

  private boolean steady(List<Instance> pool, int total, int inFlight) {
    return inFlight == 0
        && total == in.replicas()
        && in.subnetsToAvoid().isEmpty()
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
