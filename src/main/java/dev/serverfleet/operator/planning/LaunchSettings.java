package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.InstanceOptions;
import java.util.List;
import java.util.Map;

/**
 * A fleet's launch template with every default applied: what {@link Revision} hashes and what each
 * RunInstances call sends.
 */
public record LaunchSettings(
    String amiId,
    String instanceType,
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
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    instanceOptions = instanceOptions == null ? InstanceOptions.NONE : instanceOptions;
  }

  /** Without volumes or instance options ({@link InstanceOptions#NONE}). */
  public LaunchSettings(
      String amiId,
      String instanceType,
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
        instanceType,
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
}
