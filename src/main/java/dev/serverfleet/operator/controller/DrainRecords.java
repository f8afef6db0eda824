package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.Termination;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where the drain stage meets the rest of the pass: the plan's terminations in, the plan that acts
 * out, and drains to and from {@code status.draining}.
 */
final class DrainRecords {
  private DrainRecords() {}

  /** The plan's terminations by instance, with the reason a drain records. */
  static Map<String, String> reasons(List<Termination> terminations) {
    Map<String, String> out = new LinkedHashMap<>();
    terminations.forEach(t -> out.put(t.instanceId(), reasonName(t.reason())));
    return out;
  }

  /** The plan with what is terminated now: instances not drained, and drains that ended. */
  static Plan acting(Plan plan, DrainStage.Result drained, List<Instance> owned) {
    Map<String, Instance> byId =
        owned.stream().collect(Collectors.toMap(Instance::id, Function.identity(), (a, b) -> a));
    List<Termination> now = new ArrayList<>();
    for (Termination t : plan.terminations()) {
      if (drained.direct().contains(t.instanceId())) {
        now.add(t);
      }
    }
    for (Drain d : drained.ready()) {
      Instance i = byId.get(d.instanceId());
      now.add(
          new Termination(d.instanceId(), i == null ? null : i.subnetId(), reasonOf(d.reason())));
    }
    return new Plan(
        plan.launches(), now, plan.intents(), plan.lookups(), plan.observed(), plan.notes());
  }

  /** status.draining after the pass: drains whose instance TerminateInstances took are done. */
  static List<DrainStatus> after(DrainStage.Result drained, List<String> terminated) {
    return drained.drains().stream()
        .filter(d -> !terminated.contains(d.instanceId()))
        .map(DrainRecords::status)
        .toList();
  }

  static String reasonName(Termination.Reason reason) {
    return switch (reason) {
      case SCALE_IN -> "ScaleIn";
      case ROLLOUT -> "Rollout";
      case UNHEALTHY -> "Unhealthy";
      case STOPPED -> "Stopped";
      case INTERRUPTED -> "Interrupted";
    };
  }

  static Termination.Reason reasonOf(String name) {
    for (Termination.Reason r : Termination.Reason.values()) {
      if (reasonName(r).equals(name)) {
        return r;
      }
    }
    return Termination.Reason.SCALE_IN;
  }

  static DrainStatus status(Drain d) {
    return new DrainStatus(
        d.instanceId(),
        d.reason(),
        d.action(),
        d.phase().display(),
        StatusBuilder.seconds(d.startedAt()),
        d.attempts(),
        d.handle(),
        d.finishedAt() == null ? null : StatusBuilder.seconds(d.finishedAt()),
        d.message(),
        d.waitUntil() == null ? null : StatusBuilder.seconds(d.waitUntil()));
  }

  static Drain drain(DrainStatus s) {
    return new Drain(
        s.instanceId(),
        s.reason(),
        s.action(),
        Drain.Phase.of(s.phase()),
        s.startedAt() == null ? Instant.EPOCH : Instant.parse(s.startedAt()),
        s.attempts() == null ? 0 : s.attempts(),
        s.commandId(),
        s.finishedAt() == null ? null : Instant.parse(s.finishedAt()),
        s.message(),
        s.waitUntil() == null ? null : Instant.parse(s.waitUntil()));
  }
}
