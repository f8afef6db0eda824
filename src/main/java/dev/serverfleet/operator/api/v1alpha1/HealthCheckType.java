package dev.serverfleet.operator.api.v1alpha1;

/** What makes a running instance ready. */
public enum HealthCheckType {
  /** Running is ready (the default). */
  EC2,
  /** Running, and EC2's instance and system status checks pass. */
  EC2StatusChecks,
  /** Running, and healthy in every target group of spec.loadBalancer. */
  ELB
}
