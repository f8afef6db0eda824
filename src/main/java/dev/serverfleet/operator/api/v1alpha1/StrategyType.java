package dev.serverfleet.operator.api.v1alpha1;

/** How a new template revision replaces the old, as for Deployments. */
public enum StrategyType {
  /**
   * Launch new instances and terminate old ones step by step within maxSurge and maxUnavailable.
   */
  RollingUpdate,
  /** Terminate every old instance first, then launch the new ones. */
  Recreate
}
