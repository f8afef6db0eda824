package dev.serverfleet.operator.fleet;

import java.util.Locale;

/** EC2 instance lifecycle states, as DescribeInstances names them. */
public enum InstanceState {
  PENDING,
  RUNNING,
  STOPPING,
  STOPPED,
  SHUTTING_DOWN,
  TERMINATED;

  /** Parses EC2's state name ({@code shutting-down}, {@code running}, ...). */
  public static InstanceState fromEc2(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The name EC2 and kubectl users know. */
  public String ec2Name() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Pending or running: the instance counts towards the fleet. */
  public boolean isLive() {
    return this == PENDING || this == RUNNING;
  }

  /** Stopping or stopped: the instance exists but serves nothing and must be replaced. */
  public boolean isStopped() {
    return this == STOPPING || this == STOPPED;
  }

  /** Shutting down or terminated: the instance is gone or going, nothing to do with it. */
  public boolean isGone() {
    return this == SHUTTING_DOWN || this == TERMINATED;
  }
}
