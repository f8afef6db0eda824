package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What fleets of a class may use. Each list left out allows any value; an empty list allows none
 * (for instanceProfiles: only fleets without a profile).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerFleetClassSpec {
  private static final String ANY = " Omitted: any; empty: none.";

  @Size(max = 256)
  @JsonPropertyDescription(
      "Namespaces whose fleets may use this class." + ANY + " Omitted: every namespace.")
  private List<@Size(max = 63) String> namespaces;

  @Size(max = 256)
  @JsonPropertyDescription(
      "IAM instance profiles (as written in spec.template.iamInstanceProfile, name or ARN) fleets "
          + "may launch with. A fleet without a profile is always allowed."
          + ANY)
  private List<@Size(max = 2048) String> instanceProfiles;

  @Size(max = 256)
  @JsonPropertyDescription(
      "Subnets fleets may launch into (every one of spec.template.subnetIds)." + ANY)
  private List<@Size(max = 24) String> subnetIds;

  @Size(max = 256)
  @JsonPropertyDescription(
      "Security groups fleets may attach (every one of spec.template.securityGroupIds)." + ANY)
  private List<@Size(max = 20) String> securityGroupIds;

  @Size(max = 256)
  @JsonPropertyDescription("AMI IDs fleets may launch." + ANY)
  private List<@Size(max = 21) String> amiIds;

  @Size(max = 256)
  @JsonPropertyDescription("Instance types fleets may launch, e.g. t3.micro." + ANY)
  private List<@Size(max = 32) String> instanceTypes;

  @Size(max = 256)
  @JsonPropertyDescription(
      "Launch templates fleets may launch from, by ID (lt-...) or name as written in"
          + " spec.template.launchTemplate. The operator also holds fleets whose resolved launch"
          + " template version sets an AMI, instance type, instance profile or security group"
          + " the lists above refuse (when the fleet does not override it)."
          + ANY)
  private List<@Size(max = 128) String> launchTemplates;

  @Min(0)
  @Max(1000000)
  @JsonPropertyDescription(
      "Most instances (the sum of spec.replicas) the fleets of one namespace may have in this "
          + "class. Omitted: no limit.")
  private Integer maxInstancesPerNamespace;

  @Min(0)
  @Max(100000000)
  @JsonPropertyDescription(
      "Most vCPUs the fleets of one namespace may have in this class: the sum of spec.replicas "
          + "times the vCPUs of spec.template.instanceType (EC2's DefaultVCpus). Checked by the "
          + "operator, which holds a scale-up beyond it (Degraded, reason ClassPolicy); an "
          + "instance type EC2 does not know holds the fleet too. Omitted: no limit.")
  private Integer maxVcpusPerNamespace;

  // AMI sources for fleets that select their AMI (spec.template.amiSelector).
  @Size(max = 64)
  @JsonPropertyDescription(
      "SSM parameters fleets may take their AMI from (spec.template.amiSelector.ssmParameter)."
          + ANY)
  private List<@Size(max = 2048) String> ssmParameters;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Image owners (account IDs, self, amazon, aws-marketplace) a fleet's amiSelector by name or "
          + "tags may search: its owners must be given and each listed here."
          + ANY)
  private List<@Size(max = 15) String> amiOwners;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Target group ARNs fleets may register their instances in (spec.loadBalancer.targetGroupArns)."
          + ANY)
  private List<@Size(max = 200) String> targetGroupArns;

  public List<String> getTargetGroupArns() {
    return targetGroupArns;
  }

  public void setTargetGroupArns(List<String> targetGroupArns) {
    this.targetGroupArns = targetGroupArns;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public List<String> getInstanceProfiles() {
    return instanceProfiles;
  }

  public void setInstanceProfiles(List<String> instanceProfiles) {
    this.instanceProfiles = instanceProfiles;
  }

  public List<String> getSubnetIds() {
    return subnetIds;
  }

  public void setSubnetIds(List<String> subnetIds) {
    this.subnetIds = subnetIds;
  }

  public List<String> getSecurityGroupIds() {
    return securityGroupIds;
  }

  public void setSecurityGroupIds(List<String> securityGroupIds) {
    this.securityGroupIds = securityGroupIds;
  }

  public List<String> getAmiIds() {
    return amiIds;
  }

  public void setAmiIds(List<String> amiIds) {
    this.amiIds = amiIds;
  }

  public List<String> getInstanceTypes() {
    return instanceTypes;
  }

  public void setInstanceTypes(List<String> instanceTypes) {
    this.instanceTypes = instanceTypes;
  }

  public Integer getMaxInstancesPerNamespace() {
    return maxInstancesPerNamespace;
  }

  public void setMaxInstancesPerNamespace(Integer maxInstancesPerNamespace) {
    this.maxInstancesPerNamespace = maxInstancesPerNamespace;
  }

  public List<String> getLaunchTemplates() {
    return launchTemplates;
  }

  public void setLaunchTemplates(List<String> launchTemplates) {
    this.launchTemplates = launchTemplates;
  }

  public Integer getMaxVcpusPerNamespace() {
    return maxVcpusPerNamespace;
  }

  public void setMaxVcpusPerNamespace(Integer maxVcpusPerNamespace) {
    this.maxVcpusPerNamespace = maxVcpusPerNamespace;
  }

  public List<String> getSsmParameters() {
    return ssmParameters;
  }

  public void setSsmParameters(List<String> ssmParameters) {
    this.ssmParameters = ssmParameters;
  }

  public List<String> getAmiOwners() {
    return amiOwners;
  }

  public void setAmiOwners(List<String> amiOwners) {
    this.amiOwners = amiOwners;
  }
}
