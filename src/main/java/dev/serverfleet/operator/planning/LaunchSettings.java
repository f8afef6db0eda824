package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.InstanceOptions;
import java.util.List;
import java.util.Map;

/**
 * A fleet's launch template with every default applied: what {@link Revision} hashes and what each
 * RunInstances call sends.
 *
 * @param instanceTypes the fleet's instance types, preferred first: {@code instanceType: x} and
 *     {@code instanceTypes: [x]} both give {@code [x]}; each launch uses one ({@link
 *     InstanceTypeChoice})
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
    InstanceOptions instanceOptions) {

  public static final int DEFAULT_HOP_LIMIT = 2;

  public LaunchSettings {
    if (instanceTypes == null || instanceTypes.isEmpty()) {
      throw new IllegalArgumentException("at least one instance type is required");
    }
    instanceTypes = List.copyOf(instanceTypes);
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    instanceOptions = instanceOptions == null ? InstanceOptions.NONE : instanceOptions;
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
    return instanceTypes.get(0);
  }
}
