package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.TargetState;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers each target group's deregistration delay for the life of the process (one
 * DescribeTargetGroupAttributes per target group, not one per drain); a failed read is not
 * remembered. Everything else passes through.
 */
public final class CachedTargetGroups implements TargetGroups {
  private final TargetGroups delegate;
  private final Map<String, Integer> delays = new ConcurrentHashMap<>();

  public CachedTargetGroups(TargetGroups delegate) {
    this.delegate = delegate;
  }

  @Override
  public Map<String, TargetState> health(String targetGroupArn, Collection<String> instanceIds) {
    return delegate.health(targetGroupArn, instanceIds);
  }

  @Override
  public void register(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    delegate.register(targetGroupArn, instanceIds, port);
  }

  @Override
  public void deregister(String targetGroupArn, Collection<String> instanceIds, Integer port) {
    delegate.deregister(targetGroupArn, instanceIds, port);
  }

  @Override
  public int deregistrationDelaySeconds(String targetGroupArn) {
    return delays.computeIfAbsent(targetGroupArn, delegate::deregistrationDelaySeconds);
  }
}
