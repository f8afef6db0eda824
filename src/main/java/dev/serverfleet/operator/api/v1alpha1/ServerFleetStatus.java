package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator last observed, never what it merely intended (except launch intents). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerFleetStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @StatusReplicas
  @JsonPropertyDescription("Live (pending or running) instances owned by the fleet.")
  private Integer replicas;

  @JsonPropertyDescription(
      "Instances that are running (and pass status checks when the fleet asks for them).")
  private Integer readyReplicas;

  @JsonPropertyDescription("Instances ready for at least minReadySeconds.")
  private Integer availableReplicas;

  @JsonPropertyDescription("Instances on the current template revision.")
  private Integer updatedReplicas;

  @LabelSelector
  @JsonPropertyDescription("Label selector for the scale subresource (HPA, KEDA).")
  private String selector;

  @JsonPropertyDescription("Hash of spec.template; every instance carries its revision as a tag.")
  private String currentRevision;

  @JsonPropertyDescription("Live instances per template revision, current first.")
  private List<RevisionStatus> revisions = new ArrayList<>();

  @JsonPropertyDescription(
      "Instances tagged serverfleet.dev/protected=true (never chosen for scale-in or rollouts).")
  private Integer protectedReplicas;

  @JsonPropertyDescription(
      "When the fleet last moved towards its spec (RFC 3339); drives progressDeadlineSeconds.")
  private String lastProgressTime;

  @JsonPropertyDescription(
      "The current revision's number in the history, its checkpoint and the last rollback.")
  private RolloutStatus rollout;

  @JsonPropertyDescription("Instances of the fleet that are not terminated, as seen in EC2.")
  private List<InstanceStatus> instances = new ArrayList<>();

  @JsonPropertyDescription("Launches decided but not yet seen in EC2.")
  private List<LaunchIntent> launchIntents = new ArrayList<>();

  @JsonPropertyDescription(
      "The ServerFleetClass whose policy the last reconcile applied; absent when none applies. "
          + "With several default classes all apply: their names, newest first, comma-separated.")
  private String className;

  @JsonPropertyDescription(
      "Instances being drained by lifecycle.preTerminate before their termination, and "
          + "Abandoned ones kept for a person to decide.")
  private List<DrainStatus> draining = new ArrayList<>();

  @JsonPropertyDescription(
      "Running instances behind an SSM or webhook lifecycle.readinessGate: the command being"
          + " followed, or when the gate passed.")
  private List<GateStatus> gates = new ArrayList<>();

  @JsonPropertyDescription("Ready, Progressing and Degraded, in the shape of metav1.Condition.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "Offerings (capacity type, instance type, zone) of the fleet's types and subnets that"
          + " launches avoid now: out of capacity for a while, or not offered in the zone.")
  private List<UnavailableOffering> unavailableOfferings;

  @JsonPropertyDescription(
      "The launch template version the current revision launches from (its version resolved to a"
          + " number); absent without spec.template.launchTemplate.")
  private LaunchTemplateStatus launchTemplate;

  // What spec.template's amiId/amiSelector, subnets and security groups resolved to.
  @JsonPropertyDescription(
      "The AMI the current revision launches: spec.template.amiId, or what amiSelector resolved to.")
  private String resolvedAmiId;

  @JsonPropertyDescription(
      "The subnets the fleet launches into (subnetIds, or what subnetSelector resolved to), with "
          + "their zones when selected.")
  private List<ResolvedSubnet> subnets;

  @JsonPropertyDescription(
      "The security groups the fleet launches with, when securityGroupSelector chose them.")
  private List<String> securityGroupIds;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getAvailableReplicas() {
    return availableReplicas;
  }

  public void setAvailableReplicas(Integer availableReplicas) {
    this.availableReplicas = availableReplicas;
  }

  public Integer getUpdatedReplicas() {
    return updatedReplicas;
  }

  public void setUpdatedReplicas(Integer updatedReplicas) {
    this.updatedReplicas = updatedReplicas;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public String getCurrentRevision() {
    return currentRevision;
  }

  public void setCurrentRevision(String currentRevision) {
    this.currentRevision = currentRevision;
  }

  public List<RevisionStatus> getRevisions() {
    return revisions;
  }

  public void setRevisions(List<RevisionStatus> revisions) {
    this.revisions = revisions == null ? new ArrayList<>() : revisions;
  }

  public Integer getProtectedReplicas() {
    return protectedReplicas;
  }

  public void setProtectedReplicas(Integer protectedReplicas) {
    this.protectedReplicas = protectedReplicas;
  }

  public String getLastProgressTime() {
    return lastProgressTime;
  }

  public void setLastProgressTime(String lastProgressTime) {
    this.lastProgressTime = lastProgressTime;
  }

  public RolloutStatus getRollout() {
    return rollout;
  }

  public void setRollout(RolloutStatus rollout) {
    this.rollout = rollout;
  }

  public List<InstanceStatus> getInstances() {
    return instances;
  }

  public void setInstances(List<InstanceStatus> instances) {
    this.instances = instances == null ? new ArrayList<>() : instances;
  }

  public List<LaunchIntent> getLaunchIntents() {
    return launchIntents;
  }

  public void setLaunchIntents(List<LaunchIntent> launchIntents) {
    this.launchIntents = launchIntents == null ? new ArrayList<>() : launchIntents;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  public List<DrainStatus> getDraining() {
    return draining;
  }

  public void setDraining(List<DrainStatus> draining) {
    this.draining = draining == null ? new ArrayList<>() : draining;
  }

  public List<GateStatus> getGates() {
    return gates;
  }

  public void setGates(List<GateStatus> gates) {
    this.gates = gates == null ? new ArrayList<>() : gates;
  }

  public String getClassName() {
    return className;
  }

  public void setClassName(String className) {
    this.className = className;
  }

  public List<UnavailableOffering> getUnavailableOfferings() {
    return unavailableOfferings;
  }

  /** Null or empty: none (left out of the status). */
  public void setUnavailableOfferings(List<UnavailableOffering> unavailableOfferings) {
    this.unavailableOfferings =
        unavailableOfferings == null || unavailableOfferings.isEmpty()
            ? null
            : unavailableOfferings;
  }

  public LaunchTemplateStatus getLaunchTemplate() {
    return launchTemplate;
  }

  public void setLaunchTemplate(LaunchTemplateStatus launchTemplate) {
    this.launchTemplate = launchTemplate;
  }

  public String getResolvedAmiId() {
    return resolvedAmiId;
  }

  public void setResolvedAmiId(String resolvedAmiId) {
    this.resolvedAmiId = resolvedAmiId;
  }

  public List<ResolvedSubnet> getSubnets() {
    return subnets;
  }

  public void setSubnets(List<ResolvedSubnet> subnets) {
    this.subnets = subnets;
  }

  public List<String> getSecurityGroupIds() {
    return securityGroupIds;
  }

  public void setSecurityGroupIds(List<String> securityGroupIds) {
    this.securityGroupIds = securityGroupIds;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerFleetStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(availableReplicas, s.availableReplicas)
        && Objects.equals(updatedReplicas, s.updatedReplicas)
        && Objects.equals(selector, s.selector)
        && Objects.equals(currentRevision, s.currentRevision)
        && Objects.equals(revisions, s.revisions)
        && Objects.equals(protectedReplicas, s.protectedReplicas)
        && Objects.equals(lastProgressTime, s.lastProgressTime)
        && Objects.equals(rollout, s.rollout)
        && Objects.equals(instances, s.instances)
        && Objects.equals(launchIntents, s.launchIntents)
        && Objects.equals(className, s.className)
        && Objects.equals(unavailableOfferings, s.unavailableOfferings)
        && Objects.equals(launchTemplate, s.launchTemplate)
        && Objects.equals(draining, s.draining)
        && Objects.equals(gates, s.gates)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(resolvedAmiId, s.resolvedAmiId)
        && Objects.equals(subnets, s.subnets)
        && Objects.equals(securityGroupIds, s.securityGroupIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration, replicas, readyReplicas, instances, launchIntents, conditions);
  }
}
