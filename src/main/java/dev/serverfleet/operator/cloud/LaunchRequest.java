package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One RunInstances call: {@code count} identical instances in one subnet.
 *
 * @param clientToken idempotency token; the same token must yield the same instances on AWS
 * @param tags every tag the instances (and their volumes) get at launch, ownership tags included
 * @param userData plain text; the port encodes it
 * @param httpTokensRequired IMDSv2 only when true
 * @param instanceOptions volumes, placement, CPU, monitoring, primary interface (see {@link
 *     LaunchOptionsConversions})
 * @param imageId null with a launch template that provides it
 * @param instanceType null with a launch template that provides it
 * @param launchTemplate the launch template version to launch from, or null: then the request sends
 *     only what the fleet sets, and the template gives the rest
 */
public record LaunchRequest(
    String clientToken,
    String subnetId,
    int count,
    String imageId,
    String instanceType,
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

  public LaunchRequest {
    Objects.requireNonNull(clientToken, "clientToken");
    Objects.requireNonNull(subnetId, "subnetId");
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, was " + count);
    }
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    instanceOptions = instanceOptions == null ? InstanceOptions.NONE : instanceOptions;
  }

  /** Without a launch template. */
  public LaunchRequest(
      String clientToken,
      String subnetId,
      int count,
      String imageId,
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
    this(
        clientToken,
        subnetId,
        count,
        imageId,
        instanceType,
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
  public LaunchRequest(
      String clientToken,
      String subnetId,
      int count,
      String imageId,
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
        clientToken,
        subnetId,
        count,
        imageId,
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
