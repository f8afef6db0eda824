package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** What the user wants: how many instances, launched how. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.progressDeadlineSeconds) ? self.progressDeadlineSeconds : "
            + ServerFleetSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS
            + ") > (has(self.minReadySeconds) ? self.minReadySeconds : 0)",
    message =
        "progressDeadlineSeconds ("
            + ServerFleetSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS
            + " when omitted) must be "
            + "greater than minReadySeconds, as for a Deployment: no instance could become available before the deadline",
    fieldPath = ".progressDeadlineSeconds")
@ValidationRule(
    value =
        "!has(self.healthCheck) || !has(self.healthCheck.type) || self.healthCheck.type != 'ELB'"
            + " || has(self.loadBalancer)",
    message = "healthCheck.type ELB needs loadBalancer (the target groups whose health counts)",
    fieldPath = ".healthCheck.type")
public class ServerFleetSpec {
  public static final int MAX_REPLICAS = 1000;

  /** Applied in code when progressDeadlineSeconds is omitted, as Deployment does. */
  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  @Min(0)
  @Max(MAX_REPLICAS)
  @SpecReplicas
  @JsonPropertyDescription(
      "Number of instances the fleet should have, 0 to 1000; 1 when omitted. Also set by `kubectl scale`.")
  private Integer replicas;

  @Required
  @JsonPropertyDescription("How each instance is launched.")
  private FleetTemplate template;

  @JsonPropertyDescription(
      "What happens to the instances when the ServerFleet is deleted: Delete terminates "
          + "them (the default), Retain removes the operator's ownership tags and leaves them running.")
  private DeletionPolicy deletionPolicy;

  @JsonPropertyDescription(
      "How template changes roll out: RollingUpdate (default, maxSurge 25%, maxUnavailable 0) "
          + "or Recreate.")
  private Strategy strategy;

  @Min(0)
  @Max(3600)
  @JsonPropertyDescription(
      "Seconds an instance must stay ready before it counts as available. Default 0.")
  private Integer minReadySeconds;

  @Min(1)
  @Max(86400)
  @JsonPropertyDescription(
      "Seconds a rollout may go without progress before Progressing turns False with reason "
          + "ProgressDeadlineExceeded; must be greater than minReadySeconds, as for a Deployment. Default 600.")
  private Integer progressDeadlineSeconds;

  @JsonPropertyDescription(
      "True freezes rollouts (no instance is replaced for a template change); scaling still "
          + "follows replicas.")
  private Boolean paused;

  @JsonPropertyDescription(
      "Which instances go first on scale-in once not-ready, outdated and crowded-subnet "
          + "instances are accounted for: NewestFirst (default) or OldestFirst.")
  private ScaleDownPolicy scaleDownPolicy;

  @JsonPropertyDescription("How instance health is judged. Default: running is ready.")
  private HealthCheck healthCheck;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "How many earlier revisions to keep (as ControllerRevisions <fleet>-<hash>) for kubectl sf "
          + "rollout history and undo. Default 10. Revisions that still have instances are kept.")
  private Integer revisionHistoryLimit;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription(
      "Name of the ServerFleetClass whose policy applies (allowed profiles, subnets, security "
          + "groups, AMIs, instance types, namespaces, quotas). Omitted: the class annotated "
          + "serverfleet.dev/is-default-class=true, if any; with several such classes, every one "
          + "of them applies.")
  private String className;

  @JsonPropertyDescription(
      "Hooks around an instance's life: preTerminate drains an instance (a webhook or an SSM "
          + "command) before the operator terminates it.")
  private Lifecycle lifecycle;

  @JsonPropertyDescription(
      "Instance maintenance policy, as Auto Scaling groups define it: bounds on available and"
          + " total capacity while instances AWS will take are replaced. Default: minimum 100%,"
          + " maximum 200% (launch before terminate). When set, it also governs health"
          + " replacements: an instance failing status checks is kept until its replacement is"
          + " available instead of being terminated first.")
  private MaintenancePolicy maintenance;

  @JsonPropertyDescription(
      "True: an EC2 rebalance recommendation (a spot instance at elevated risk of interruption)"
          + " replaces the instance like an interruption warning does, as Auto Scaling groups'"
          + " capacity rebalancing. Default false. Needs the operator's --interruption-queue.")
  private Boolean capacityRebalance;

  public MaintenancePolicy getMaintenance() {
    return maintenance;
  }

  public void setMaintenance(MaintenancePolicy maintenance) {
    this.maintenance = maintenance;
  }

  public Boolean getCapacityRebalance() {
    return capacityRebalance;
  }

  public void setCapacityRebalance(Boolean capacityRebalance) {
    this.capacityRebalance = capacityRebalance;
  }

  @JsonPropertyDescription(
      "Target groups to register the instances in; each instance is deregistered, and the"
          + " deregistration delay waited out, before it is terminated.")
  private LoadBalancer loadBalancer;

  public String getClassName() {
    return className;
  }

  public void setClassName(String className) {
    this.className = className;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public FleetTemplate getTemplate() {
    return template;
  }

  public void setTemplate(FleetTemplate template) {
    this.template = template;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }

  public Strategy getStrategy() {
    return strategy;
  }

  public void setStrategy(Strategy strategy) {
    this.strategy = strategy;
  }

  public Integer getMinReadySeconds() {
    return minReadySeconds;
  }

  public void setMinReadySeconds(Integer minReadySeconds) {
    this.minReadySeconds = minReadySeconds;
  }

  public Integer getProgressDeadlineSeconds() {
    return progressDeadlineSeconds;
  }

  public void setProgressDeadlineSeconds(Integer progressDeadlineSeconds) {
    this.progressDeadlineSeconds = progressDeadlineSeconds;
  }

  public Boolean getPaused() {
    return paused;
  }

  public void setPaused(Boolean paused) {
    this.paused = paused;
  }

  public ScaleDownPolicy getScaleDownPolicy() {
    return scaleDownPolicy;
  }

  public void setScaleDownPolicy(ScaleDownPolicy scaleDownPolicy) {
    this.scaleDownPolicy = scaleDownPolicy;
  }

  public HealthCheck getHealthCheck() {
    return healthCheck;
  }

  public void setHealthCheck(HealthCheck healthCheck) {
    this.healthCheck = healthCheck;
  }

  public Integer getRevisionHistoryLimit() {
    return revisionHistoryLimit;
  }

  public void setRevisionHistoryLimit(Integer revisionHistoryLimit) {
    this.revisionHistoryLimit = revisionHistoryLimit;
  }

  public Lifecycle getLifecycle() {
    return lifecycle;
  }

  public void setLifecycle(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  public LoadBalancer getLoadBalancer() {
    return loadBalancer;
  }

  public void setLoadBalancer(LoadBalancer loadBalancer) {
    this.loadBalancer = loadBalancer;
  }
}
