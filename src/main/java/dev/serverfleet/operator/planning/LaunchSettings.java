package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.List;
import java.util.Map;

/**
 * A fleet's launch template with every default applied: what {@link Revision} hashes and what each
 * RunInstances call sends.
 *
 * @param instanceTypes the fleet's instance types, preferred first: {@code instanceType: x} and
 *     {@code instanceTypes: [x]} both give {@code [x]}; each launch uses one ({@link
 *     InstanceTypeChoice}). Empty only with a launch template that sets the type.
 * @param amiId null only with a launch template that sets the image
 * @param launchTemplate the resolved launch template version, or null without one
 */
public record LaunchSettings(
    String amiId,
    List<String> instanceTypes,
    List<String> securityGroupIds,
    String keyName,
    String iamInstanceProfile,
    String userData,
    boolean spot,
    boolean httpTokensRequired,
    int httpPutResponseHopLimit,
    Map<String, String> tags,
    InstanceOptions instanceOptions,
    LaunchTemplateVersion launchTemplate) {

  public static final int DEFAULT_HOP_LIMIT = 2;

  public LaunchSettings {
    instanceTypes = instanceTypes == null ? List.of() : List.copyOf(instanceTypes);
    if (instanceTypes.isEmpty()
        && (launchTemplate == null || launchTemplate.instanceType() == null)) {
      throw new IllegalArgumentException("at least one instance type is required");
    }
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    instanceOptions = instanceOptions == null ? InstanceOptions.NONE : instanceOptions;
  }

  /** Without a launch template. */
  public LaunchSettings(
      String amiId,
      List<String> instanceTypes,
      List<String> securityGroupIds,
      String keyName,
      String iamInstanceProfile,
      String userData,
      boolean spot,
      boolean httpTokensRequired,
      int httpPutResponseHopLimit,
      Map<String, String> tags,
      InstanceOptions instanceOptions) {
    this(
        amiId,
        instanceTypes,
        securityGroupIds,
        keyName,
        iamInstanceProfile,
        userData,
        spot,
        httpTokensRequired,
        httpPutResponseHopLimit,
        tags,
        instanceOptions,
        null);
  }

  /** Without volumes or instance options ({@link InstanceOptions#NONE}). */
  public LaunchSettings(
      String amiId,
      List<String> instanceTypes,
      List<String> securityGroupIds,
      String keyName,
      String iamInstanceProfile,
      String userData,
      boolean spot,
      boolean httpTokensRequired,
      int httpPutResponseHopLimit,
      Map<String, String> tags) {
    this(
        amiId,
        instanceTypes,
        securityGroupIds,
        keyName,
        iamInstanceProfile,
        userData,
        spot,
        httpTokensRequired,
        httpPutResponseHopLimit,
        tags,
        InstanceOptions.NONE);
  }

  /** The first instance type: what every launch uses while it has capacity. */
  public String preferredType() {
    return launchableTypes().get(0);
  }

  /**
   * The types launches choose from: the fleet's, or the launch template's one when the fleet sets
   * none (a RunInstances then sends no type, and the template's applies).
   */
  public List<String> launchableTypes() {
    return instanceTypes.isEmpty() ? List.of(launchTemplate.instanceType()) : instanceTypes;
  }

  /** Whether RunInstances sends an instance type (otherwise the launch template's applies). */
  public boolean sendsInstanceType() {
    return !instanceTypes.isEmpty();
  }
}
