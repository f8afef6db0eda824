package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.LaunchRequest;
import dev.serverfleet.operator.fleet.Offering;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.planning.Launch;
import dev.serverfleet.operator.planning.LaunchSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * The RunInstances of one planned launch: the fleet's launch settings plus the ownership tags every
 * instance carries from its first moment (cluster, fleet, fleet uid, revision, launch token, Name),
 * which the user's tags can never override.
 */
final class LaunchRequests {
  private LaunchRequests() {}

  static LaunchRequest of(String clusterName, ServerFleet fleet, Launch launch, LaunchSettings s) {
    Map<String, String> tags = new HashMap<>(s.tags());
    tags.put(OwnershipTags.NAME, fleet.getMetadata().getName() + "-" + launch.revision());
    tags.put(OwnershipTags.CLUSTER, clusterName);
    tags.put(OwnershipTags.FLEET, fleet.fleetKey());
    tags.put(OwnershipTags.FLEET_UID, fleet.getMetadata().getUid());
    tags.put(OwnershipTags.REVISION, launch.revision());
    tags.put(OwnershipTags.LAUNCH, launch.token());
    return new LaunchRequest(
        launch.token(),
        launch.subnetId(),
        launch.count(),
        s.amiId(),
        !s.sendsInstanceType()
            ? null
            : launch.instanceType() != null ? launch.instanceType() : s.preferredType(),
        s.securityGroupIds(),
        s.keyName(),
        s.iamInstanceProfile(),
        s.userData(),
        launch.capacityType() == null ? s.spot() : Offering.SPOT.equals(launch.capacityType()),
        s.httpTokensRequired(),
        s.httpPutResponseHopLimit(),
        tags,
        s.instanceOptions(),
        s.launchTemplate());
  }
}
