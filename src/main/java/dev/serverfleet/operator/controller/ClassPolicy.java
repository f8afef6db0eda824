package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.planning.Launch;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.Termination;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a fleet keeps to its {@link ServerFleetClass}. Pure: the classes and the namespace's
 * other fleets come in as values, so a table of cases proves every rule.
 *
 * <p>Which class applies: the one named in {@code spec.className}; without a name, the class
 * annotated {@code serverfleet.dev/is-default-class: "true"} (the newest of several, as Kubernetes
 * picks a default StorageClass); without either, none, and the fleet behaves as if classes did not
 * exist. A named class that does not exist refuses every launch: the name is a promise the platform
 * team has not kept yet, and guessing another policy would be worse.
 *
 * <p>A list in the class left out allows anything; an empty list allows nothing. The quota ({@code
 * maxInstancesPerNamespace}) counts {@code spec.replicas} of every fleet of the namespace that the
 * same class applies to.
 */
final class ClassPolicy {
  static final String REASON = "ClassPolicy";

  /** How soon a fleet out of policy looks again without an event (a neighbour scaled down). */
  static final java.time.Duration RECHECK = java.time.Duration.ofMinutes(2);

  /** The class that applied ({@code null}: none) and what it refuses, if anything. */
  record Verdict(String className, Optional<String> refusal) {
    static final Verdict NONE = new Verdict(null, Optional.empty());
  }

  private ClassPolicy() {}

  /** The fleet's class from the informer's classes and the fleets of its namespace. */
  static Verdict check(ServerFleet fleet, LaunchSettings settings, FleetClasses classes) {
    return check(
        fleet, settings, classes.classes(), classes.fleetsIn(fleet.getMetadata().getNamespace()));
  }

  /** For a fleet without a launch template (its settings are the spec's alone). */
  static Verdict check(
      ServerFleet fleet, Collection<ServerFleetClass> classes, Collection<ServerFleet> neighbours) {
    return check(
        fleet, SpecDefaults.launchSettings(fleet.getSpec().getTemplate()), classes, neighbours);
  }

  /**
   * @param settings the fleet's launch settings, its launch template resolved: what the template
   *     sets and the fleet does not is checked too
   */
  static Verdict check(
      ServerFleet fleet,
      LaunchSettings settings,
      Collection<ServerFleetClass> classes,
      Collection<ServerFleet> neighbours) {
    String named = SpecDefaults.className(fleet);
    Optional<ServerFleetClass> applied = resolve(named, classes);
    if (applied.isEmpty()) {
      return named == null
          ? Verdict.NONE
          : new Verdict(
              named, Optional.of("spec.className: no ServerFleetClass named " + named + " exists"));
    }
    ServerFleetClass c = applied.get();
    String name = c.getMetadata().getName();
    ServerFleetClassSpec spec =
        Optional.ofNullable(c.getSpec()).orElseGet(ServerFleetClassSpec::new);
    Optional<String> refusal =
        admission(fleet, settings, spec, name)
            .or(() -> quota(fleet, spec, name, classes, neighbours));
    return new Verdict(name, refusal);
  }

  /** What admission could also refuse: every allow-list of the class. */
  private static Optional<String> admission(
      ServerFleet fleet, LaunchSettings s, ServerFleetClassSpec spec, String name) {
    String namespace = fleet.getMetadata().getNamespace();
    if (spec.getNamespaces() != null && !spec.getNamespaces().contains(namespace)) {
      return Optional.of("namespace " + namespace + " may not use ServerFleetClass " + name);
    }
    Optional<String> template = LaunchTemplatePolicy.refusal(fleet, s, spec, name);
    if (template.isPresent()) {
      return template;
    }
    String profile = s.iamInstanceProfile();
    if (profile != null && outside(spec.getInstanceProfiles(), profile)) {
      return refused("spec.template.iamInstanceProfile", profile, name);
    }
    for (String subnet : SpecDefaults.subnetIds(fleet)) {
      if (outside(spec.getSubnetIds(), subnet)) {
        return refused("spec.template.subnetIds", subnet, name);
      }
    }
    for (String group : s.securityGroupIds()) {
      if (outside(spec.getSecurityGroupIds(), group)) {
        return refused("spec.template.securityGroupIds", group, name);
      }
    }
    if (s.amiId() != null && outside(spec.getAmiIds(), s.amiId())) {
      return refused("spec.template.amiId", s.amiId(), name);
    }
    for (String type : s.instanceTypes()) {
      if (outside(spec.getInstanceTypes(), type)) {
        return refused(
            s.instanceTypes().size() == 1
                ? "spec.template.instanceType"
                : "spec.template.instanceTypes",
            type,
            name);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> quota(
      ServerFleet fleet,
      ServerFleetClassSpec spec,
      String name,
      Collection<ServerFleetClass> classes,
      Collection<ServerFleet> neighbours) {
    Integer max = spec.getMaxInstancesPerNamespace();
    if (max == null) {
      return Optional.empty();
    }
    String uid = fleet.getMetadata().getUid();
    String namespace = fleet.getMetadata().getNamespace();
    int others =
        neighbours.stream()
            .filter(f -> Objects.equals(namespace, f.getMetadata().getNamespace()))
            .filter(f -> !Objects.equals(uid, f.getMetadata().getUid()))
            .filter(f -> !f.isMarkedForDeletion())
            .filter(
                f ->
                    resolve(SpecDefaults.className(f), classes)
                        .map(c -> name.equals(c.getMetadata().getName()))
                        .orElse(false))
            .mapToInt(SpecDefaults::replicas)
            .sum();
    int mine = SpecDefaults.replicas(fleet);
    if (mine + others <= max) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "spec.replicas: %d instances in namespace %s (%d of this fleet, %d of its other fleets) "
                + "exceed maxInstancesPerNamespace %d of ServerFleetClass %s",
            mine + others, namespace, mine, others, max, name));
  }

  /** The class a fleet naming {@code named} (null: none) uses, if it exists. */
  static Optional<ServerFleetClass> resolve(String named, Collection<ServerFleetClass> classes) {
    if (named != null) {
      return classes.stream().filter(c -> named.equals(c.getMetadata().getName())).findFirst();
    }
    return classes.stream()
        .filter(ClassPolicy::isDefault)
        .max(
            Comparator.comparing(
                    (ServerFleetClass c) ->
                        Optional.ofNullable(c.getMetadata().getCreationTimestamp()).orElse(""))
                .thenComparing(c -> c.getMetadata().getName(), Comparator.reverseOrder()));
  }

  /**
   * The plan of a fleet out of policy: no new launch (a retry of an intent whose outcome is unknown
   * stays, so a launch already sent is settled, never duplicated) and no termination but scale-in,
   * so the fleet keeps its instances and may only shrink.
   */
  static Plan hold(Plan plan) {
    List<String> fresh = plan.newLaunches().stream().map(Launch::token).toList();
    return new Plan(
        plan.launches().stream().filter(Launch::retry).toList(),
        plan.terminations().stream()
            .filter(t -> t.reason() == Termination.Reason.SCALE_IN)
            .toList(),
        plan.intents().stream().filter(i -> !fresh.contains(i.token())).toList(),
        plan.lookups(),
        plan.observed(),
        plan.notes());
  }

  static boolean isDefault(ServerFleetClass c) {
    Map<String, String> annotations = c.getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(ServerFleetClass.IS_DEFAULT));
  }

  static boolean outside(List<String> allowed, String value) {
    return allowed != null && !allowed.contains(value);
  }

  static Optional<String> refused(String field, String value, String name) {
    return Optional.of(field + ": " + value + " is not allowed by ServerFleetClass " + name);
  }
}
