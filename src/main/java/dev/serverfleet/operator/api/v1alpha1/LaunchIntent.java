package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A RunInstances call the operator has decided on, written to status before the call is made. Its
 * client token makes a retry return the same instances on AWS, and its tag ({@code
 * serverfleet.dev/launch}) lets the operator recognise them on any EC2 endpoint, so a crash or a
 * lost answer never launches twice. The states are those of the launch ledger ({@code
 * planning/LaunchLedger}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LaunchIntent(
    @JsonPropertyDescription("RunInstances client token, also tagged on the instances.")
        String token,
    @JsonPropertyDescription("Subnet of the launch.") String subnetId,
    @JsonPropertyDescription("Number of instances requested.") Integer count,
    @JsonPropertyDescription("Template revision launched.") String revision,
    @JsonPropertyDescription("When the intent was recorded (RFC 3339).") String createdAt,
    @JsonPropertyDescription("Instances RunInstances returned for the token, once it answered.")
        java.util.List<String> instanceIds,
    @JsonPropertyDescription(
            "Written (about to be sent), Unknown (sent, no definite answer: retried with the same"
                + " token), Acknowledged (EC2 answered with instances not yet seen in a sweep) or Lookup (to be settled by"
                + " describing instances with its launch tag).")
        String state,
    @JsonPropertyDescription("RunInstances calls made with the token so far.") Integer attempts,
    @JsonPropertyDescription("When the intent entered its state (RFC 3339).") String since,
    @JsonPropertyDescription(
            "Instance type of the launch, one of the template's types (a retry sends the same).")
        String instanceType,
    @JsonPropertyDescription(
            "on-demand or spot: the market of the launch (a retry buys in the same); omitted: the"
                + " template's capacity type.")
        String capacityType) {

  /** Without a capacity type: as recorded before intents named theirs. */
  public LaunchIntent(
      String token,
      String subnetId,
      Integer count,
      String revision,
      String createdAt,
      java.util.List<String> instanceIds,
      String state,
      Integer attempts,
      String since,
      String instanceType) {
    this(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        instanceIds,
        state,
        attempts,
        since,
        instanceType,
        null);
  }

  /** As first written, before any call. */
  public LaunchIntent(
      String token,
      String subnetId,
      Integer count,
      String revision,
      String createdAt,
      java.util.List<String> instanceIds) {
    this(token, subnetId, count, revision, createdAt, instanceIds, null, null, null, null, null);
  }

  /** Without an instance type: as recorded before intents named theirs. */
  public LaunchIntent(
      String token,
      String subnetId,
      Integer count,
      String revision,
      String createdAt,
      java.util.List<String> instanceIds,
      String state,
      Integer attempts,
      String since) {
    this(
        token,
        subnetId,
        count,
        revision,
        createdAt,
        instanceIds,
        state,
        attempts,
        since,
        null,
        null);
  }
}
