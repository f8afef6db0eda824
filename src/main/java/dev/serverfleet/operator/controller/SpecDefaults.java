package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.HttpTokens;
import dev.serverfleet.operator.api.v1alpha1.MetadataOptions;
import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ScaleDownPolicy;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.api.v1alpha1.StrategyType;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import dev.serverfleet.operator.planning.CheckpointGate;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Maintenance;
import dev.serverfleet.operator.planning.Policy;
import dev.serverfleet.operator.planning.RolloutBounds;
import dev.serverfleet.operator.selection.LaunchResolver;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Defaults live here, in code, not in the CRD schema: a schema default would rewrite what users
 * write and make GitOps tools report drift.
 */
final class SpecDefaults {
  static final int DEFAULT_REPLICAS = 1;

  private SpecDefaults() {}

  static int replicas(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getReplicas()).orElse(DEFAULT_REPLICAS);
  }

  static List<String> subnetIds(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getTemplate().getSubnetIds()).orElse(List.of());
  }

  /** The ServerFleetClass the fleet names, or null for the default class (if any). */
  static String className(ServerFleet fleet) {
    String name = fleet.getSpec().getClassName();
    return name == null || name.isBlank() ? null : name;
  }

  static DeletionPolicy deletionPolicy(ServerFleetSpec spec) {
    return Optional.ofNullable(spec.getDeletionPolicy()).orElse(DeletionPolicy.Delete);
  }

  static final int DEFAULT_PROGRESS_DEADLINE_SECONDS =
      ServerFleetSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS;

  static int progressDeadlineSeconds(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getProgressDeadlineSeconds())
        .orElse(DEFAULT_PROGRESS_DEADLINE_SECONDS);
  }

  /** The restart annotation's value: part of the revision, so changing it rolls every instance. */
  static String restartedAt(ServerFleet fleet) {
    Map<String, String> annotations = fleet.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(ServerFleet.RESTARTED_AT);
  }

  static Policy policy(ServerFleet fleet) {
    ServerFleetSpec spec = fleet.getSpec();
    Strategy strategy = Optional.ofNullable(spec.getStrategy()).orElseGet(Strategy::new);
    RollingUpdate rolling =
        Optional.ofNullable(strategy.getRollingUpdate()).orElseGet(RollingUpdate::new);
    HealthCheck health = Optional.ofNullable(spec.getHealthCheck()).orElseGet(HealthCheck::new);
    return new Policy(
            strategy.getType() == StrategyType.Recreate
                ? Policy.Strategy.RECREATE
                : Policy.Strategy.ROLLING_UPDATE,
            RolloutBounds.resolve(
                intOrString(rolling.getMaxSurge()),
                intOrString(rolling.getMaxUnavailable()),
                replicas(fleet)),
            Duration.ofSeconds(Optional.ofNullable(spec.getMinReadySeconds()).orElse(0)),
            Boolean.TRUE.equals(spec.getPaused()),
            spec.getScaleDownPolicy() == ScaleDownPolicy.OldestFirst
                ? Policy.ScaleDownOrder.OLDEST_FIRST
                : Policy.ScaleDownOrder.NEWEST_FIRST,
            // ELB: the instances' health is their target health, read in the pass
            health.getType() == HealthCheckType.EC2StatusChecks
                || health.getType() == HealthCheckType.ELB,
            Optional.ofNullable(health.getGracePeriodSeconds())
                .map(Duration::ofSeconds)
                .orElse(Policy.DEFAULT_HEALTH_GRACE),
            Optional.ofNullable(health.getMaxUnhealthyPercent())
                .orElse(Policy.DEFAULT_MAX_UNHEALTHY_PERCENT))
        .withReadyTag(readyTag(spec))
        .withCallGate(GateStage.callGate(fleet).isPresent());
  }

  /** lifecycle.readinessGate.tag, or null. */
  private static Policy.ReadyTag readyTag(ServerFleetSpec spec) {
    return Optional.ofNullable(spec.getLifecycle())
        .map(l -> l.getReadinessGate())
        .map(g -> g.getTag())
        .map(t -> new Policy.ReadyTag(t.getKey(), t.getValue()))
        .orElse(null);
  }

  /** spec.maintenance, each percentage defaulting to {@link Maintenance#DEFAULT}'s. */
  static Maintenance maintenance(ServerFleet fleet) {
    var m = fleet.getSpec().getMaintenance();
    if (m == null) {
      return Maintenance.DEFAULT;
    }
    return new Maintenance(
        Optional.ofNullable(m.getMinHealthyPercentage())
            .orElse(Maintenance.DEFAULT.minHealthyPercentage()),
        Optional.ofNullable(m.getMaxHealthyPercentage())
            .orElse(Maintenance.DEFAULT.maxHealthyPercentage()));
  }

  /**
   * Whether health replacements launch first: the spec names a maintenance policy, which for an
   * Auto Scaling group applies to health replacements too (without one, they terminate first).
   */
  static boolean healthLaunchFirst(ServerFleet fleet) {
    return fleet.getSpec().getMaintenance() != null;
  }

  /** spec.capacityRebalance; false when omitted. */
  static boolean capacityRebalance(ServerFleet fleet) {
    return Boolean.TRUE.equals(fleet.getSpec().getCapacityRebalance());
  }

  private static Object intOrString(IntOrString value) {
    if (value == null) {
      return null;
    }
    return value.getIntVal() != null ? value.getIntVal() : value.getStrVal();
  }

  /** For a template that names its AMI and security groups by ID (no selector to resolve). */
  static LaunchSettings launchSettings(FleetTemplate t) {
    return launchSettings(t, (LaunchTemplateVersion) null);
  }

  /** As above, from the given launch template version (null: none). */
  static LaunchSettings launchSettings(FleetTemplate t, LaunchTemplateVersion launchTemplate) {
    return launchSettings(
        t,
        t.getAmiId(),
        Optional.ofNullable(t.getSecurityGroupIds()).orElse(List.of()),
        launchTemplate);
  }

  /**
   * With the AMI and security groups the selectors resolved to, and the launch template version
   * ({@link LaunchTemplateGate}; null without one): what a revision launches.
   */
  static LaunchSettings launchSettings(
      FleetTemplate t, LaunchResolver.Resolved resolved, LaunchTemplateVersion launchTemplate) {
    return launchSettings(t, resolved.amiId(), resolved.securityGroupIds(), launchTemplate);
  }

  private static LaunchSettings launchSettings(
      FleetTemplate t,
      String amiId,
      List<String> securityGroupIds,
      LaunchTemplateVersion launchTemplate) {
    MetadataOptions imds =
        Optional.ofNullable(t.getMetadataOptions()).orElseGet(MetadataOptions::new);
    return new LaunchSettings(
        amiId,
        instanceTypes(t),
        securityGroupIds,
        blankToNull(t.getKeyName()),
        blankToNull(t.getIamInstanceProfile()),
        blankToNull(t.getUserData()),
        CapacityDefaults.capacityType(t) == CapacityType.SPOT,
        imds.getHttpTokens() != HttpTokens.OPTIONAL,
        Optional.ofNullable(imds.getHttpPutResponseHopLimit())
            .orElse(LaunchSettings.DEFAULT_HOP_LIMIT),
        Optional.ofNullable(t.getTags()).orElse(Map.of()),
        InstanceOptionDefaults.of(t),
        launchTemplate);
  }

  /** The ordered list, or the single instanceType as a list of one (the CRD allows one of them). */
  static List<String> instanceTypes(FleetTemplate t) {
    if (t.getInstanceTypes() != null && !t.getInstanceTypes().isEmpty()) {
      return List.copyOf(t.getInstanceTypes());
    }
    return t.getInstanceType() == null ? List.of() : List.of(t.getInstanceType());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** The fleet's checkpoints; none for Recreate or when omitted. */
  static CheckpointGate.Spec checkpoints(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getStrategy())
        .filter(s -> s.getType() != StrategyType.Recreate)
        .map(Strategy::getRollingUpdate)
        .map(RollingUpdate::getCheckpoints)
        .map(
            c ->
                new CheckpointGate.Spec(
                    Optional.ofNullable(c.getPercentages()).orElse(List.of()),
                    Optional.ofNullable(c.getPauseSeconds()).map(Duration::ofSeconds)))
        .orElse(CheckpointGate.Spec.NONE);
  }

  static boolean autoRollback(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getStrategy())
        .map(Strategy::getAutoRollback)
        .orElse(false);
  }

  static int revisionHistoryLimit(ServerFleet fleet) {
    return Optional.ofNullable(fleet.getSpec().getRevisionHistoryLimit())
        .orElse(FleetRevisions.DEFAULT_HISTORY_LIMIT);
  }

  /**
   * What the history stores of the current revision: the template with every default written out
   * (so it reads the same whatever the user omitted, and gives the same hash), without the subnets
   * (placement, not part of the revision), and the restart annotation. A selected AMI or security
   * groups are stored as the IDs they resolved to: the revision is what was launched, and an undo
   * or a rollback to it must launch that image again, not whatever the selector finds then.
   */
  static FleetRevisions.Data revisionData(ServerFleet fleet, LaunchSettings settings) {
    FleetTemplate t =
        JSON.unmarshal(JSON.asJson(fleet.getSpec().getTemplate()), FleetTemplate.class);
    t.setSubnetIds(null);
    t.setSubnetSelector(null);
    if (t.getAmiSelector() != null) {
      t.setAmiSelector(null);
      t.setAmiId(settings.amiId());
    }
    if (t.getSecurityGroupSelector() != null) {
      t.setSecurityGroupSelector(null);
      t.setSecurityGroupIds(settings.securityGroupIds());
    }
    if (t.getLaunchTemplate() != null && settings.launchTemplate() != null) {
      // the number $Latest/$Default resolved to: an undo launches that very version again
      t.getLaunchTemplate().setVersion(String.valueOf(settings.launchTemplate().version()));
    }
    if (t.getCapacityType() == null && t.getCapacity() == null) {
      t.setCapacityType(CapacityType.ON_DEMAND);
    }
    MetadataOptions imds =
        Optional.ofNullable(t.getMetadataOptions()).orElseGet(MetadataOptions::new);
    if (imds.getHttpTokens() == null) {
      imds.setHttpTokens(HttpTokens.REQUIRED);
    }
    if (imds.getHttpPutResponseHopLimit() == null) {
      imds.setHttpPutResponseHopLimit(LaunchSettings.DEFAULT_HOP_LIMIT);
    }
    t.setMetadataOptions(imds);
    InstanceOptionDefaults.writeDefaults(t);
    return new FleetRevisions.Data(t, restartedAt(fleet));
  }

  /**
   * The fleet with a stored revision's template and restart annotation in place of its own, keeping
   * its subnets (by ID or by selector): how an undo or a rollback writes the revision back.
   */
  static ServerFleet withRevision(ServerFleet fleet, FleetRevisions.Data data) {
    ServerFleet changed = copy(fleet);
    FleetTemplate template = JSON.unmarshal(JSON.asJson(data.template()), FleetTemplate.class);
    template.setSubnetIds(fleet.getSpec().getTemplate().getSubnetIds());
    template.setSubnetSelector(fleet.getSpec().getTemplate().getSubnetSelector());
    changed.getSpec().setTemplate(template);
    Map<String, String> annotations =
        new java.util.HashMap<>(
            Optional.ofNullable(changed.getMetadata().getAnnotations()).orElse(Map.of()));
    annotations.remove(ServerFleet.ROLLBACK_TO);
    if (data.restartedAt() == null) {
      annotations.remove(ServerFleet.RESTARTED_AT);
    } else {
      annotations.put(ServerFleet.RESTARTED_AT, data.restartedAt());
    }
    changed.getMetadata().setAnnotations(annotations);
    changed.setStatus(null);
    return changed;
  }

  static ServerFleet copy(ServerFleet fleet) {
    return JSON.unmarshal(JSON.asJson(fleet), ServerFleet.class);
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization JSON =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
}
