package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.HttpTokens;
import dev.serverfleet.operator.api.v1alpha1.MetadataOptions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.planning.LaunchSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Defaults live here, in code, not in the CRD schema: a schema default would rewrite what users
 * write and make GitOps tools report drift.
 */
final class FleetSpecs {
  static final int DEFAULT_REPLICAS = 1;

  private FleetSpecs() {}

  static int replicas(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getReplicas()).orElse(DEFAULT_REPLICAS);
  }

  static List<String> subnetIds(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getTemplate().getSubnetIds()).orElse(List.of());
  }

  static DeletionPolicy deletionPolicy(ServerFleetSpec spec) {
    return Optional.ofNullable(spec.getDeletionPolicy()).orElse(DeletionPolicy.Delete);
  }

  static LaunchSettings launchSettings(FleetTemplate t) {
    MetadataOptions imds = Optional.ofNullable(t.getMetadataOptions()).orElseGet(MetadataOptions::new);
    return new LaunchSettings(
        t.getAmiId(),
        t.getInstanceType(),
        Optional.ofNullable(t.getSecurityGroupIds()).orElse(List.of()),
        blankToNull(t.getKeyName()),
        blankToNull(t.getIamInstanceProfile()),
        blankToNull(t.getUserData()),
        t.getCapacityType() == CapacityType.SPOT,
        imds.getHttpTokens() != HttpTokens.OPTIONAL,
        Optional.ofNullable(imds.getHttpPutResponseHopLimit()).orElse(LaunchSettings.DEFAULT_HOP_LIMIT),
        Optional.ofNullable(t.getTags()).orElse(Map.of()));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
