package dev.serverfleet.operator.api.v1alpha1;

/** Fate of the instances when their ServerFleet is deleted. */
public enum DeletionPolicy {
  /** Terminate every instance, then let the resource go. */
  Delete,
  /** Strip the ownership tags and leave the instances running. */
  Retain
}
