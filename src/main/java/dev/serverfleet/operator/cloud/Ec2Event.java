package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.Interruption;
import java.util.List;

/** What one message of the interruption queue says, as {@link Ec2Events} reads it. */
public sealed interface Ec2Event {
  /** The metrics label of the message's type. */
  String type();

  /**
   * AWS will take these instances (spot interruption warning, AWS Health scheduled change) or
   * recommends replacing them (rebalance recommendation).
   */
  record Notice(List<String> instanceIds, Interruption interruption) implements Ec2Event {
    public Notice {
      instanceIds = List.copyOf(instanceIds);
    }

    @Override
    public String type() {
      return interruption.kind().label();
    }
  }

  /** An instance changed state (EC2 Instance State-change Notification). */
  record StateChange(String instanceId, String state) implements Ec2Event {
    @Override
    public String type() {
      return "state-change";
    }
  }

  /**
   * A well-formed event of a kind the operator does not act on (another detail-type, a Health event
   * of another service or category).
   */
  record Unknown(String detailType) implements Ec2Event {
    @Override
    public String type() {
      return "unknown";
    }
  }

  /** Not an EventBridge event: not JSON, or a known event missing what it must carry. */
  record Malformed(String reason) implements Ec2Event {
    @Override
    public String type() {
      return "malformed";
    }
  }
}
