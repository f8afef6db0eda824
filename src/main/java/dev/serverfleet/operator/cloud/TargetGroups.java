package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.TargetState;
import java.util.Collection;
import java.util.Map;

/**
 * The narrow ELBv2 port: instances in and out of target groups (target type instance), their
 * health, and the deregistration delay. Every failure leaves as a {@link CloudException}.
 */
public interface TargetGroups {

  /**
   * One DescribeTargetHealth for the given instances in one target group. An instance the group
   * does not hold is {@link TargetState#NOT_REGISTERED} (AWS answers {@code unused} with reason
   * {@code Target.NotRegistered}; some implementations leave it out): every id asked about is in
   * the answer.
   */
  Map<String, TargetState> health(String targetGroupArn, Collection<String> instanceIds);

  /** RegisterTargets; {@code port} null: the target group's port. Idempotent in AWS. */
  void register(String targetGroupArn, Collection<String> instanceIds, Integer port);

  /** DeregisterTargets; idempotent (an instance not registered is no error in AWS). */
  void deregister(String targetGroupArn, Collection<String> instanceIds, Integer port);

  /** The target group's {@code deregistration_delay.timeout_seconds} attribute. */
  int deregistrationDelaySeconds(String targetGroupArn);

  /** No ELBv2 configured: every call fails, so a fleet with loadBalancer is held Degraded. */
  TargetGroups NONE =
      new TargetGroups() {
        private CloudException none(String op) {
          return new CloudException(
              op, ErrorClass.TERMINAL, "NoTargetGroupsPort", "this operator has no ELBv2 client");
        }

        @Override
        public Map<String, TargetState> health(String arn, Collection<String> ids) {
          throw none("DescribeTargetHealth");
        }

        @Override
        public void register(String arn, Collection<String> ids, Integer port) {
          throw none("RegisterTargets");
        }

        @Override
        public void deregister(String arn, Collection<String> ids, Integer port) {
          throw none("DeregisterTargets");
        }

        @Override
        public int deregistrationDelaySeconds(String arn) {
          throw none("DescribeTargetGroupAttributes");
        }
      };
}
