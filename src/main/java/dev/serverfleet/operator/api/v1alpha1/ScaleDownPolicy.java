package dev.serverfleet.operator.api.v1alpha1;

/** Last tie-break when choosing which instances to terminate on scale-in. */
public enum ScaleDownPolicy {
  /** The most recently launched go first (the default): long-running instances are kept. */
  NewestFirst,
  /** The oldest go first: the fleet keeps turning over. */
  OldestFirst
}
