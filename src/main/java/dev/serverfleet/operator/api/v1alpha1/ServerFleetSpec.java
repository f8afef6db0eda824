package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/** What the user wants: how many instances, launched how. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerFleetSpec {
  public static final int MAX_REPLICAS = 1000;

  @Min(0)
  @Max(MAX_REPLICAS)
  @SpecReplicas
  @JsonPropertyDescription("Number of instances the fleet should have, 0 to 1000; 1 when omitted. Also set by `kubectl scale`.")
  private Integer replicas;

  @Required
  @JsonPropertyDescription("How each instance is launched.")
  private FleetTemplate template;

  @JsonPropertyDescription("What happens to the instances when the ServerFleet is deleted: Delete terminates "
      + "them (the default), Retain removes the operator's ownership tags and leaves them running.")
  private DeletionPolicy deletionPolicy;

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
}
