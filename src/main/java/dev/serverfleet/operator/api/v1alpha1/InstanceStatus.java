package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One instance of the fleet as last observed in EC2. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InstanceStatus(
    @JsonPropertyDescription("EC2 instance ID.") String id,
    @JsonPropertyDescription("EC2 state: pending, running, stopping, stopped, shutting-down.")
        String state,
    @JsonPropertyDescription("Template revision the instance was launched from.") String revision,
    @JsonPropertyDescription("Subnet the instance runs in.") String subnetId,
    @JsonPropertyDescription("Availability Zone.") String zone,
    @JsonPropertyDescription("Private IPv4 address.") String privateIp,
    @JsonPropertyDescription("When EC2 launched the instance (RFC 3339).") String launchTime,
    @JsonPropertyDescription("Status checks: OK, IMPAIRED, INITIALIZING or UNKNOWN.") String health,
    @JsonPropertyDescription(
            "Since when the instance has been ready, as first observed (RFC 3339).")
        String readySince,
    @JsonPropertyDescription(
            "True when tagged serverfleet.dev/protected=true: kept out of scale-in and rollouts.")
        Boolean protectedInstance,
    @JsonPropertyDescription("EC2 instance type, one of the template's types.") String instanceType,
    @JsonPropertyDescription(
            "AWS's notice that it will take the instance, if any: the fleet launches its"
                + " replacement, then terminates it within spec.maintenance.")
        InterruptionStatus interruption,
    @JsonPropertyDescription(
            "How the instance is bought, as EC2 reports it (InstanceLifecycle): on-demand or spot.")
        String capacityType) {

  /** Without the capacity type. */
  public InstanceStatus(
      String id,
      String state,
      String revision,
      String subnetId,
      String zone,
      String privateIp,
      String launchTime,
      String health,
      String readySince,
      Boolean protectedInstance,
      String instanceType,
      InterruptionStatus interruption) {
    this(
        id,
        state,
        revision,
        subnetId,
        zone,
        privateIp,
        launchTime,
        health,
        readySince,
        protectedInstance,
        instanceType,
        interruption,
        null);
  }

  /** Without an interruption notice. */
  public InstanceStatus(
      String id,
      String state,
      String revision,
      String subnetId,
      String zone,
      String privateIp,
      String launchTime,
      String health,
      String readySince,
      Boolean protectedInstance,
      String instanceType) {
    this(
        id,
        state,
        revision,
        subnetId,
        zone,
        privateIp,
        launchTime,
        health,
        readySince,
        protectedInstance,
        instanceType,
        null);
  }

  /** Without the instance type. */
  public InstanceStatus(
      String id,
      String state,
      String revision,
      String subnetId,
      String zone,
      String privateIp,
      String launchTime,
      String health,
      String readySince,
      Boolean protectedInstance) {
    this(
        id,
        state,
        revision,
        subnetId,
        zone,
        privateIp,
        launchTime,
        health,
        readySince,
        protectedInstance,
        null,
        null);
  }

  /** The same instance status with this notice (null: none). */
  public InstanceStatus withInterruption(InterruptionStatus notice) {
    return new InstanceStatus(
        id,
        state,
        revision,
        subnetId,
        zone,
        privateIp,
        launchTime,
        health,
        readySince,
        protectedInstance,
        instanceType,
        notice,
        capacityType);
  }

  /** The same instance status with this capacity type (on-demand or spot). */
  public InstanceStatus withCapacityType(String type) {
    return new InstanceStatus(
        id,
        state,
        revision,
        subnetId,
        zone,
        privateIp,
        launchTime,
        health,
        readySince,
        protectedInstance,
        instanceType,
        interruption,
        type);
  }
}
