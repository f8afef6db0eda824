package dev.serverfleet.operator.e2e;

import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.Ec2Call;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How many launches a fleet's history of edits allows and needs, judged from what EC2 holds and
 * what an {@link dev.serverfleet.operator.testing.Ec2FaultProxy} saw, for {@link
 * LaunchLedgerKillE2E}. The template changes only by its AMI there, so an AMI stands for a
 * revision.
 *
 * <p>The operator launches an instance of the current revision only while fewer than {@code
 * replicas} of them are live or on their way, and terminates one of the current revision only while
 * more than {@code replicas} are live; nothing else ends an instance in that test. One exception,
 * by design: a steady fleet (every instance current and available, nothing in flight) whose subnets
 * differ by more than one gets one launch into the emptiest subnet, then loses one from the fullest
 * (zone rebalancing, {@code planning/Rollout}). Hence:
 *
 * <ul>
 *   <li><b>At every launch</b> ({@link #judge}): when a client token first reaches EC2, the
 *       instances of its AMI launched by then (its own included) and not yet named by a
 *       TerminateInstances are at most the replicas a spec of that AMI asked for in the last {@link
 *       #SPEC_LAG} (the pass that decided it may have read a spec that was edited since), or one
 *       more for a zone rebalance: one instance into a subnet with the fewest, the others of that
 *       AMI spread more than one apart, no other AMI live. A launch under a new token for instances
 *       an earlier, lost answer already made breaks this as soon as the earlier ones exist.
 *   <li><b>Upper bound</b> ({@link #allowed}), per AMI: room for launches opens only by an edit (or
 *       a zone rebalance). An edit that makes the AMI current opens {@code replicas} minus its
 *       instances still live or on their way, counted low; a later increase of replicas while it
 *       stays current opens the increase. A duplicate takes room nothing opened, unless an edit
 *       opened room that was undone before the operator used it (a rollout reverted half-way), so
 *       this check is the weaker one.
 *   <li><b>Lower bound</b> ({@link #needed}): between two moments the fleet was seen converged
 *       (exactly {@code replicas} live, all on the spec's AMI, nothing in flight), any operator
 *       must launch the increase of replicas when the AMI stayed, and every replica when it
 *       changed. The sum is what even a perfect operator needed; edits in between that undo each
 *       other need nothing.
 * </ul>
 */
final class LaunchAccounting {
  /**
   * How long a pass may act on a spec after it was edited: from reading it to its last
   * RunInstances.
   */
  static final Duration SPEC_LAG = Duration.ofSeconds(10);

  record Spec(int replicas, String ami) {}

  /**
   * An edit: the spec after it, when its patch was sent, and when the operator that may have acted
   * on the spec before it was killed (no call decided on the older spec starts after that).
   */
  record Edit(Spec spec, Instant sent, Instant killed) {}

  private final List<Edit> edits = new ArrayList<>();
  private final List<Spec> converged = new ArrayList<>(List.of(new Spec(0, null)));

  /** The first edit creates the fleet. */
  void edited(Edit edit) {
    edits.add(edit);
  }

  /** The fleet was seen converged on the current spec. */
  void converged() {
    converged.add(current());
  }

  Spec current() {
    return edits.get(edits.size() - 1).spec();
  }

  int edits() {
    return edits.size();
  }

  /**
   * Every launch judged at the moment its client token first reached EC2.
   *
   * @param aboveReplicas launches that made more instances of their AMI live or launching than
   *     replicas asked for, described; empty when the operator kept its promise
   * @param rebalances by AMI, the zone rebalancing launches (one above replicas, allowed)
   */
  record Judgement(List<String> aboveReplicas, Map<String, Integer> rebalances) {}

  Judgement judge(Seen seen, List<String> subnetIds) {
    List<String> above = new ArrayList<>();
    Map<String, Integer> rebalances = new TreeMap<>();
    seen.firstRun.entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .forEach(
            e -> {
              String token = e.getKey();
              Instant at = e.getValue();
              List<Instance> made = seen.launchedBy(token);
              if (made.isEmpty()) {
                return;
              }
              String ami = made.get(0).imageId();
              List<Instance> live =
                  seen.liveOrLaunching(at, at).stream()
                      .filter(i -> ami.equals(i.imageId()))
                      .toList();
              int wanted = maxReplicas(ami, at.minus(SPEC_LAG), at);
              if (live.size() <= wanted) {
                return;
              }
              if (live.size() == wanted + 1
                  && made.size() == 1
                  && rebalance(seen, made.get(0), live, subnetIds, at)) {
                rebalances.merge(ami, 1, Integer::sum);
                return;
              }
              above.add(
                  token
                      + " reached EC2 at "
                      + at
                      + " making "
                      + live.size()
                      + " instances of "
                      + ami
                      + " live or launching; specs of the last "
                      + SPEC_LAG.toSeconds()
                      + " s asked for at most "
                      + wanted);
            });
    return new Judgement(above, rebalances);
  }

  /**
   * One launch into a subnet with the fewest while the others of its AMI are spread more than one
   * apart, alone.
   */
  private static boolean rebalance(
      Seen seen, Instance launched, List<Instance> live, List<String> subnetIds, Instant at) {
    if (seen.liveOrLaunching(at, at).size() != live.size()) {
      return false; // another AMI is live or launching: not a steady fleet
    }
    Map<String, Integer> perSubnet = new HashMap<>();
    subnetIds.forEach(s -> perSubnet.put(s, 0));
    live.stream()
        .filter(i -> !i.id().equals(launched.id()))
        .forEach(i -> perSubnet.merge(i.subnetId(), 1, Integer::sum));
    int min = perSubnet.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    int max = perSubnet.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return max - min > 1 && perSubnet.getOrDefault(launched.subnetId(), -1) == min;
  }

  /**
   * Upper bound: per AMI, the launches the edits (and the zone rebalances judged) opened room for.
   */
  Map<String, Integer> allowed(Seen seen, Judgement judgement) {
    Map<String, Integer> allowed = new TreeMap<>(judgement.rebalances());
    Spec before = new Spec(0, null);
    for (Edit edit : edits) {
      allowed.merge(edit.spec().ami(), opened(before, edit, seen), Integer::sum);
      before = edit.spec();
    }
    return allowed;
  }

  /** Each edit and the room it opened, for the evidence. */
  List<String> explain(Seen seen) {
    List<String> lines = new ArrayList<>();
    Spec before = new Spec(0, null);
    for (Edit edit : edits) {
      lines.add(
          "edit sent "
              + edit.sent()
              + ", older spec's operator killed "
              + edit.killed()
              + ": "
              + edit.spec()
              + " opens room for "
              + opened(before, edit, seen));
      before = edit.spec();
    }
    return lines;
  }

  /** Lower bound: the launches between the moments the fleet was seen converged. */
  int needed() {
    int needed = 0;
    for (int k = 1; k < converged.size(); k++) {
      Spec before = converged.get(k - 1);
      Spec after = converged.get(k);
      needed +=
          Objects.equals(before.ami(), after.ami())
              ? Math.max(0, after.replicas() - before.replicas())
              : after.replicas();
    }
    return needed;
  }

  private static int opened(Spec before, Edit edit, Seen seen) {
    Spec spec = edit.spec();
    if (Objects.equals(before.ami(), spec.ami())) {
      return Math.max(0, spec.replicas() - before.replicas());
    }
    // Counted low: launched by a call that reached EC2 before the edit was sent, and named by no
    // TerminateInstances that arrived before the operator that knew the older spec was killed.
    return Math.max(
        0,
        spec.replicas()
            - (int)
                seen.liveOrLaunching(edit.sent(), edit.killed()).stream()
                    .filter(i -> spec.ami().equals(i.imageId()))
                    .count());
  }

  /**
   * The most replicas of {@code ami} asked for by a spec in effect at some moment from {@code from}
   * to {@code to}.
   */
  private int maxReplicas(String ami, Instant from, Instant to) {
    int max = 0;
    Spec inEffect = null;
    for (Edit edit : edits) {
      if (!edit.sent().isAfter(from)) {
        inEffect = edit.spec();
      } else if (!edit.sent().isAfter(to)) {
        max = Math.max(max, replicasOf(edit.spec(), ami));
      }
    }
    return inEffect == null ? max : Math.max(max, replicasOf(inEffect, ami));
  }

  private static int replicasOf(Spec spec, String ami) {
    return ami.equals(spec.ami()) ? spec.replicas() : 0;
  }

  /** Every instance ever launched and every call through the proxy, indexed for the bounds. */
  static final class Seen {
    private final List<Instance> instances;

    /** By client token: when its first RunInstances reached moto. */
    private final Map<String, Instant> firstRun = new HashMap<>();

    /** By instance id: when the first TerminateInstances naming it arrived. */
    private final Map<String, Instant> terminateSent = new HashMap<>();

    Seen(List<Instance> instances, List<Ec2Call> calls) {
      this.instances = List.copyOf(instances);
      calls.stream()
          .sorted(Comparator.comparing(Ec2Call::start))
          .forEach(
              c -> {
                if (c.action().equals("RunInstances") && c.upstream()) {
                  firstRun.putIfAbsent(c.clientToken(), c.start());
                } else if (c.action().equals("TerminateInstances")) {
                  c.instanceIds().forEach(id -> terminateSent.putIfAbsent(id, c.start()));
                }
              });
    }

    List<Instance> launchedBy(String token) {
      return instances.stream().filter(i -> token.equals(i.tag(OwnershipTags.LAUNCH))).toList();
    }

    /**
     * Instances launched by a call that reached moto at or before {@code launchedBy} and named by
     * no TerminateInstances that arrived before {@code notTerminatedBefore}.
     */
    List<Instance> liveOrLaunching(Instant launchedBy, Instant notTerminatedBefore) {
      return instances.stream()
          .filter(
              i -> {
                Instant run = firstRun.get(i.tag(OwnershipTags.LAUNCH));
                return run != null && !run.isAfter(launchedBy);
              })
          .filter(
              i -> {
                Instant terminate = terminateSent.get(i.id());
                return terminate == null || !terminate.isBefore(notTerminatedBefore);
              })
          .toList();
    }
  }
}
