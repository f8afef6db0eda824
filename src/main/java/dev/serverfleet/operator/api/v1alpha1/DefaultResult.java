package dev.serverfleet.operator.api.v1alpha1;

/** What happens when a pre-termination hook fails or times out. */
public enum DefaultResult {
  /** Terminate the instance anyway. */
  Continue,
  /** Keep the instance, mark it in status, raise Degraded: a person decides. */
  Abandon
}
