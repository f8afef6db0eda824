package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.InstanceState;
import dev.serverfleet.operator.fleet.OwnershipTags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A cloud that does exactly what a plan says, for simulations over many plans: launches take effect
 * at once as pending instances ({@code n-1}, {@code n-2}, ...) that run one step later, a
 * termination takes effect at once, and a client token that already launched launches nothing again
 * (as AWS's idempotency promises).
 */
final class IdealCloud {
  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final Set<String> usedTokens = new HashSet<>();
  private final Predicate<Instance> starts;
  private int launched;

  /**
   * @param starts which pending instances start running at the next step (not foreign ones, say)
   */
  IdealCloud(Collection<Instance> initial, Predicate<Instance> starts) {
    this.starts = starts;
    initial.forEach(this::add);
  }

  void add(Instance instance) {
    instances.put(instance.id(), instance);
    if (instance.tag(OwnershipTags.LAUNCH) != null) {
      usedTokens.add(instance.tag(OwnershipTags.LAUNCH));
    }
  }

  /**
   * Pending instances start running, then the plan's terminations, launches and lookups happen.
   * Returns the launch ledger after the calls, moved on by what this cloud answered.
   */
  List<Intent> apply(Plan plan, Instant now) {
    instances.replaceAll(
        (id, i) ->
            i.state() == InstanceState.PENDING && starts.test(i)
                ? i.withState(InstanceState.RUNNING)
                : i);
    plan.terminations()
        .forEach(
            t ->
                instances.computeIfPresent(
                    t.instanceId(), (id, i) -> i.withState(InstanceState.TERMINATED)));
    for (Launch l : plan.launches()) {
      if (!usedTokens.add(l.token())) {
        continue;
      }
      for (int k = 0; k < l.count(); k++) {
        String id = "n-" + ++launched;
        Instance i =
            PlanFixtures.owned(id, InstanceState.PENDING, l.subnetId(), now)
                .withSpot(dev.serverfleet.operator.fleet.Offering.SPOT.equals(l.capacityType()));
        instances.put(
            id, PlanFixtures.launchedBy(PlanFixtures.revision(i, l.revision()), l.token()));
      }
    }
    Set<String> sent = new HashSet<>();
    plan.launches().forEach(l -> sent.add(l.token()));
    Set<String> lookedUp = new HashSet<>();
    plan.lookups().forEach(i -> lookedUp.add(i.token()));
    List<Intent> ledger = new ArrayList<>();
    for (Intent intent : plan.intents()) {
      List<String> ids = withToken(intent.token());
      if (sent.contains(intent.token())) {
        ledger.add(LaunchLedger.answered(intent, ids, now));
      } else if (lookedUp.contains(intent.token())) {
        LaunchLedger.lookedUp(intent, ids, now).ifPresent(ledger::add);
      } else {
        ledger.add(intent);
      }
    }
    return ledger;
  }

  /**
   * What a describe by launch tag finds of the fleet's own instances (a foreign one may carry the
   * tag too).
   */
  private List<String> withToken(String token) {
    return instances.values().stream()
        .filter(i -> starts.test(i) && token.equals(i.tag(OwnershipTags.LAUNCH)))
        .map(Instance::id)
        .toList();
  }

  /** An instance changes state on its own (a failure, a person). */
  void set(String id, InstanceState state) {
    instances.computeIfPresent(id, (k, i) -> i.withState(state));
  }

  List<Instance> instances() {
    return List.copyOf(instances.values());
  }
}
