package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.TargetState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * ELBv2 target groups in memory, with what moto does not model (moto reports every registered
 * target healthy at once): a target is {@code initial} for {@link #healthyAfter} after its
 * registration, then {@code healthy} unless marked {@link #failHealthChecks unhealthy}; a
 * deregistered target is {@code draining} for the group's deregistration delay, then gone
 * (DescribeTargetHealth: not registered). Every call is counted by operation and handed to a
 * listener (a test's journal), in order.
 */
public final class FakeTargetGroups implements TargetGroups {
  private record Target(Instant registeredAt, Instant drainingUntil) {}

  private final Clock clock;
  private final Map<String, Map<String, Target>> groups = new LinkedHashMap<>();
  private final Map<String, Integer> delays = new HashMap<>();
  private final Set<String> unhealthy = new HashSet<>();
  private final Map<String, Integer> calls = new HashMap<>();
  public final List<String> callLog = new ArrayList<>();
  private BiConsumer<String, String> listener = (op, detail) -> {};
  public Duration healthyAfter = Duration.ofSeconds(10);

  public FakeTargetGroups(Clock clock) {
    this.clock = clock;
  }

  /** A target group with its deregistration_delay.timeout_seconds. */
  public FakeTargetGroups group(String arn, int delaySeconds) {
    groups.put(arn, new LinkedHashMap<>());
    delays.put(arn, delaySeconds);
    return this;
  }

  public void listen(BiConsumer<String, String> listener) {
    this.listener = listener;
  }

  /** The instance fails the target groups' health checks from now on. */
  public void failHealthChecks(String instanceId) {
    unhealthy.add(instanceId);
  }

  public int calls(String operation) {
    return calls.getOrDefault(operation, 0);
  }

  /** The target's state now, as DescribeTargetHealth would say. */
  public TargetState state(String arn, String instanceId) {
    Target t = group(arn).get(instanceId);
    Instant now = clock.instant();
    if (t == null || (t.drainingUntil() != null && !now.isBefore(t.drainingUntil()))) {
      return TargetState.NOT_REGISTERED;
    }
    if (t.drainingUntil() != null) {
      return TargetState.DRAINING;
    }
    if (now.isBefore(t.registeredAt().plus(healthyAfter))) {
      return TargetState.INITIAL;
    }
    return unhealthy.contains(instanceId) ? TargetState.UNHEALTHY : TargetState.HEALTHY;
  }

  @Override
  public Map<String, TargetState> health(String arn, Collection<String> instanceIds) {
    called("DescribeTargetHealth", arn + " " + String.join(",", instanceIds));
    Map<String, TargetState> out = new HashMap<>();
    instanceIds.forEach(id -> out.put(id, state(arn, id)));
    return out;
  }

  @Override
  public void register(String arn, Collection<String> instanceIds, Integer port) {
    called("RegisterTargets", arn + " " + String.join(",", instanceIds));
    Map<String, Target> g = group(arn);
    for (String id : instanceIds) {
      TargetState s = state(arn, id);
      if (!s.registered()) {
        g.put(id, new Target(clock.instant(), null));
      }
    }
  }

  @Override
  public void deregister(String arn, Collection<String> instanceIds, Integer port) {
    called("DeregisterTargets", arn + " " + String.join(",", instanceIds));
    Map<String, Target> g = group(arn);
    for (String id : instanceIds) {
      Target t = g.get(id);
      if (t != null && t.drainingUntil() == null) {
        g.put(id, new Target(t.registeredAt(), clock.instant().plusSeconds(delays.get(arn))));
      }
    }
  }

  @Override
  public int deregistrationDelaySeconds(String arn) {
    called("DescribeTargetGroupAttributes", arn);
    group(arn);
    return delays.get(arn);
  }

  private Map<String, Target> group(String arn) {
    Map<String, Target> g = groups.get(arn);
    if (g == null) {
      throw new CloudException(
          "TargetGroups", ErrorClass.TERMINAL, "TargetGroupNotFound", "no target group " + arn);
    }
    return g;
  }

  private void called(String operation, String detail) {
    calls.merge(operation, 1, Integer::sum);
    callLog.add(operation + " " + detail);
    listener.accept(operation, detail);
  }
}
