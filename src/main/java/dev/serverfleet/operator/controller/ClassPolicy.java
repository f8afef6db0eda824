package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.AmiSelector;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.Termination;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether a fleet keeps to its {@link ServerFleetClass}. Pure: the classes, the namespace's other
 * fleets and the instance-type sizes come in as values, so a table of cases proves every rule.
 *
 * <p>Which classes apply: the one named in {@code spec.className}; without a name, every class
 * annotated {@code serverfleet.dev/is-default-class: "true"}; without either, none, and the fleet
 * behaves as if classes did not exist. A named class that does not exist refuses every launch: the
 * name is a promise the platform team has not kept yet, and guessing another policy would be worse.
 *
 * <p>Several default classes all apply, each with its lists and quotas, and the first refusal
 * (newest class first) is reported. That is what the chart's ValidatingAdmissionPolicy does, and it
 * can do nothing else: the API server evaluates the policy once per class and a CEL expression sees
 * only that one, so it cannot tell which default is the newest. Kubernetes picks the newest default
 * StorageClass or IngressClass, but in a mutating admission plugin that writes the name into the
 * object; a ValidatingAdmissionPolicy cannot. Admission and the operator thus agree, and the
 * overlap while a platform team moves the default from one class to another is fail-closed.
 *
 * <p>A list in the class left out allows anything; an empty list allows nothing. The quotas are
 * {@link ClassQuota}'s, over the namespace's fleets the same class applies to.
 */
final class ClassPolicy {
  static final String REASON = "ClassPolicy";

  /**
   * How soon a fleet out of policy looks again without an event; a neighbour's spec change wakes it
   * sooner ({@link ClassHoldWakeUps}).
   */
  static final java.time.Duration RECHECK = java.time.Duration.ofMinutes(2);

  /**
   * The classes that applied ({@code null}: none; several defaults comma-separated, newest first)
   * and the first refusal, if any.
   */
  record Verdict(String className, Optional<String> refusal) {
    static final Verdict NONE = new Verdict(null, Optional.empty());
  }

  private ClassPolicy() {}

  /** As below, knowing no instance-type sizes. */
  static Verdict check(
      ServerFleet fleet, Collection<ServerFleetClass> classes, Collection<ServerFleet> neighbours) {
    return check(fleet, classes, neighbours, types -> Map.of());
  }

  /** For a fleet that names its AMI, subnets and security groups by ID (no selector to resolve). */
  static Verdict check(
      ServerFleet fleet,
      Collection<ServerFleetClass> classes,
      Collection<ServerFleet> neighbours,
      ClassQuota.Vcpus vcpus) {
    return check(
        fleet,
        SpecDefaults.launchSettings(fleet.getSpec().getTemplate()),
        SpecDefaults.subnetIds(fleet),
        classes,
        neighbours,
        vcpus);
  }

  /**
   * @param settings the launch settings with what the selectors resolved to: a selected AMI, subnet
   *     or security group is held to the class like one written in the spec
   * @param subnetIds the subnets as given or selected
   * @param neighbours the fleets of the fleet's namespace (others are ignored), itself included or
   *     not
   * @param vcpus sizes of instance types, asked only when a class has a vCPU quota
   */
  static Verdict check(
      ServerFleet fleet,
      LaunchSettings settings,
      List<String> subnetIds,
      Collection<ServerFleetClass> classes,
      Collection<ServerFleet> neighbours,
      ClassQuota.Vcpus vcpus) {
    String named = SpecDefaults.className(fleet);
    List<ServerFleetClass> applied = applied(named, classes);
    if (applied.isEmpty()) {
      return named == null
          ? Verdict.NONE
          : new Verdict(
              named, Optional.of("spec.className: no ServerFleetClass named " + named + " exists"));
    }
    Optional<String> refusal = Optional.empty();
    for (ServerFleetClass c : applied) {
      String name = c.getMetadata().getName();
      ServerFleetClassSpec spec =
          Optional.ofNullable(c.getSpec()).orElseGet(ServerFleetClassSpec::new);
      List<ServerFleet> others = ClassQuota.others(fleet, neighbours, f -> appliesTo(f, c));
      refusal =
          admission(fleet, settings, subnetIds, spec, name)
              .or(() -> ClassQuota.check(fleet, spec, name, others, vcpus));
      if (refusal.isPresent()) {
        break;
      }
    }
    String names =
        applied.stream().map(c -> c.getMetadata().getName()).collect(Collectors.joining(","));
    return new Verdict(names, refusal);
  }

  /** What admission could also refuse: every allow-list of the class. */
  private static Optional<String> admission(
      ServerFleet fleet,
      LaunchSettings s,
      List<String> subnetIds,
      ServerFleetClassSpec spec,
      String name) {
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
    for (String subnet : subnetIds) {
      if (outside(spec.getSubnetIds(), subnet)) {
        return refused(field(fleet, "subnetIds", "subnetSelector"), subnet, name);
      }
    }
    for (String group : s.securityGroupIds()) {
      if (outside(spec.getSecurityGroupIds(), group)) {
        return refused(field(fleet, "securityGroupIds", "securityGroupSelector"), group, name);
      }
    }
    if (fleet.getSpec().getLoadBalancer() != null
        && fleet.getSpec().getLoadBalancer().getTargetGroupArns() != null) {
      for (String arn : fleet.getSpec().getLoadBalancer().getTargetGroupArns()) {
        if (outside(spec.getTargetGroupArns(), arn)) {
          return refused("spec.loadBalancer.targetGroupArns", arn, name);
        }
      }
    }
    if (s.amiId() != null && outside(spec.getAmiIds(), s.amiId())) { // null: the template's
      return refused(field(fleet, "amiId", "amiSelector"), s.amiId(), name);
    }
    Optional<String> source = amiSource(fleet.getSpec().getTemplate().getAmiSelector(), spec, name);
    if (source.isPresent()) {
      return source;
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

  /**
   * The classes a fleet naming {@code named} (null: none) uses: the named one if it exists, else
   * every default class, newest first (ties: by name), as Kubernetes orders default StorageClasses.
   */
  static List<ServerFleetClass> applied(String named, Collection<ServerFleetClass> classes) {
    if (named != null) {
      return classes.stream()
          .filter(c -> named.equals(c.getMetadata().getName()))
          .limit(1)
          .toList();
    }
    return classes.stream()
        .filter(ClassPolicy::isDefault)
        .sorted(
            Comparator.comparing(
                    (ServerFleetClass c) ->
                        Optional.ofNullable(c.getMetadata().getCreationTimestamp()).orElse(""),
                    Comparator.reverseOrder())
                .thenComparing(c -> c.getMetadata().getName()))
        .toList();
  }

  /**
   * Whether class {@code c} applies to fleet {@code f}: named by it, or a default it names none.
   */
  static boolean appliesTo(ServerFleet f, ServerFleetClass c) {
    String named = SpecDefaults.className(f);
    return named == null ? isDefault(c) : named.equals(c.getMetadata().getName());
  }

  /**
   * The plan of a fleet out of policy: no new launch (a retry of an intent whose outcome is unknown
   * stays, so a launch already sent is settled, never duplicated) and no termination but scale-in,
   * so the fleet keeps its instances and may only shrink.
   */
  static Plan hold(Plan plan) {
    Plan held = plan.withoutNewLaunches();
    return new Plan(
        held.launches(),
        held.terminations().stream()
            .filter(t -> t.reason() == Termination.Reason.SCALE_IN)
            .toList(),
        held.intents(),
        held.lookups(),
        held.observed(),
        held.notes());
  }

  static boolean isDefault(ServerFleetClass c) {
    Map<String, String> annotations = c.getMetadata().getAnnotations();
    return annotations != null && "true".equals(annotations.get(ServerFleetClass.IS_DEFAULT));
  }

  /**
   * Where a selected AMI may come from: an SSM parameter the class lists in ssmParameters, or
   * images of owners it lists in amiOwners (the selector must name its owners, all listed).
   */
  private static Optional<String> amiSource(
      AmiSelector selector, ServerFleetClassSpec spec, String name) {
    if (selector == null) {
      return Optional.empty();
    }
    if (selector.getSsmParameter() != null) {
      return outside(spec.getSsmParameters(), selector.getSsmParameter())
          ? refused("spec.template.amiSelector.ssmParameter", selector.getSsmParameter(), name)
          : Optional.empty();
    }
    if (spec.getAmiOwners() == null) {
      return Optional.empty();
    }
    if (selector.getOwners() == null || selector.getOwners().isEmpty()) {
      return Optional.of(
          "spec.template.amiSelector.owners: ServerFleetClass "
              + name
              + " allows only images of the owners in its amiOwners; name them in owners");
    }
    return selector.getOwners().stream()
        .filter(o -> outside(spec.getAmiOwners(), o))
        .findFirst()
        .flatMap(o -> refused("spec.template.amiSelector.owners", o, name));
  }

  /** The field a value came from: the ID field, or the selector that chose it. */
  private static String field(ServerFleet fleet, String ids, String selector) {
    var t = fleet.getSpec().getTemplate();
    boolean selected =
        switch (selector) {
          case "amiSelector" -> t.getAmiSelector() != null;
          case "subnetSelector" -> t.getSubnetSelector() != null;
          default -> t.getSecurityGroupSelector() != null;
        };
    return "spec.template." + (selected ? selector : ids);
  }

  static boolean outside(List<String> allowed, String value) {
    return allowed != null && !allowed.contains(value);
  }

  static Optional<String> refused(String field, String value, String name) {
    return Optional.of(field + ": " + value + " is not allowed by ServerFleetClass " + name);
  }
}
