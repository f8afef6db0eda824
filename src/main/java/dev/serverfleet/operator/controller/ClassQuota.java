package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.cloud.CloudException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A class's per-namespace quotas: {@code maxInstancesPerNamespace} caps the sum of {@code
 * spec.replicas}, {@code maxVcpusPerNamespace} the sum of {@code spec.replicas} × the vCPUs of its
 * instance type (the largest of {@code spec.template.instanceTypes}: a fleet may launch any of
 * them, and a quota must hold whichever capacity EC2 has), over the namespace's fleets that the
 * class applies to. Both count what fleets declare, not what runs: a quota is a promise about the
 * spec, as admission sees it, and a fleet mid-rollout (surge) or mid-failure counts as its
 * replicas.
 *
 * <p>A fleet whose sum would exceed a quota is refused whole: it launches nothing new (not up to
 * the quota) and says so in Degraded/ClassPolicy, with the sums. Partial launches would leave a
 * fleet that neither matches its spec nor says which of its replicas the quota took; ResourceQuota
 * does launch pods up to the quota, but a ReplicaSet then reports the failure per pod, which a
 * fleet's single condition cannot. Scaling down to fit lets it go on.
 *
 * <p>vCPUs come from EC2 ({@code VCpuInfo.DefaultVCpus}) through {@link Vcpus}; a type EC2 does not
 * know, or a call that failed, makes the quota impossible to evaluate, and that refuses too (never
 * allowed silently). Pure apart from that lookup, which tests give as a map.
 */
final class ClassQuota {

  /** Sizes by instance type, as {@link dev.serverfleet.operator.cloud.InstanceTypeInfo} answers. */
  @FunctionalInterface
  interface Vcpus {
    /**
     * Types EC2 does not know are absent; throws {@link CloudException} when EC2 did not answer.
     */
    Map<String, Integer> of(Collection<String> types);
  }

  private ClassQuota() {}

  /**
   * What the quotas of class {@code name} refuse, if anything.
   *
   * @param others the namespace's other fleets the class applies to (see {@link #others})
   */
  static Optional<String> check(
      ServerFleet fleet,
      ServerFleetClassSpec spec,
      String name,
      List<ServerFleet> others,
      Vcpus vcpus) {
    return instances(fleet, spec.getMaxInstancesPerNamespace(), name, others)
        .or(() -> vcpus(fleet, spec.getMaxVcpusPerNamespace(), name, others, vcpus));
  }

  /**
   * The fleets that count with {@code fleet}: of its namespace, not itself, not being deleted
   * (their instances are on their way out), and of the class ({@code inClass}).
   */
  static List<ServerFleet> others(
      ServerFleet fleet, Collection<ServerFleet> neighbours, Predicate<ServerFleet> inClass) {
    String uid = fleet.getMetadata().getUid();
    String namespace = fleet.getMetadata().getNamespace();
    return neighbours.stream()
        .filter(f -> Objects.equals(namespace, f.getMetadata().getNamespace()))
        .filter(f -> !Objects.equals(uid, f.getMetadata().getUid()))
        .filter(f -> !f.isMarkedForDeletion())
        .filter(inClass)
        .toList();
  }

  private static Optional<String> instances(
      ServerFleet fleet, Integer max, String name, List<ServerFleet> others) {
    if (max == null) {
      return Optional.empty();
    }
    int theirs = others.stream().mapToInt(SpecDefaults::replicas).sum();
    int mine = SpecDefaults.replicas(fleet);
    if (mine + theirs <= max) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "spec.replicas: %d instances in namespace %s (%d of this fleet, %d of its other fleets) "
                + "exceed maxInstancesPerNamespace %d of ServerFleetClass %s",
            mine + theirs, namespace(fleet), mine, theirs, max, name));
  }

  private static Optional<String> vcpus(
      ServerFleet fleet, Integer max, String name, List<ServerFleet> others, Vcpus lookup) {
    if (max == null) {
      return Optional.empty();
    }
    String cannot = "maxVcpusPerNamespace of ServerFleetClass " + name + " cannot be checked: ";
    Optional<String> fromTemplate = typeFromLaunchTemplate(fleet, others);
    if (fromTemplate.isPresent()) {
      return Optional.of(
          cannot
              + fromTemplate.get()
              + " takes its instance type from its launch template: set"
              + " spec.template.instanceType to count its vCPUs");
    }
    TreeSet<String> types = new TreeSet<>();
    types.addAll(instanceTypes(fleet));
    others.forEach(f -> types.addAll(instanceTypes(f)));
    Map<String, Integer> sizes;
    try {
      sizes = lookup.of(types);
    } catch (CloudException e) {
      return Optional.of(cannot + e.operation() + " failed (" + e.code() + "): " + e.getMessage());
    }
    Optional<String> unknown = types.stream().filter(t -> !sizes.containsKey(t)).findFirst();
    if (unknown.isPresent()) {
      return Optional.of(
          cannot
              + "EC2 does not know instance type "
              + unknown.get()
              + " of "
              + usersOf(unknown.get(), fleet, others));
    }
    String counted = largest(fleet, sizes);
    int mine = SpecDefaults.replicas(fleet) * sizes.get(counted);
    int theirs =
        others.stream()
            .mapToInt(f -> SpecDefaults.replicas(f) * sizes.get(largest(f, sizes)))
            .sum();
    if (mine + theirs <= max) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "spec.replicas: %d vCPUs in namespace %s (%d of this fleet: %d × %s of %d vCPUs; %d of"
                + " its other fleets) exceed maxVcpusPerNamespace %d of ServerFleetClass %s",
            mine + theirs,
            namespace(fleet),
            mine,
            SpecDefaults.replicas(fleet),
            counted,
            sizes.get(counted),
            theirs,
            max,
            name));
  }

  /** Which fleet uses the unknown type: this one, or the first other by name. */
  private static String usersOf(String type, ServerFleet fleet, List<ServerFleet> others) {
    if (instanceTypes(fleet).contains(type)) {
      return "this fleet";
    }
    return others.stream()
        .filter(f -> instanceTypes(f).contains(type))
        .map(f -> "fleet " + f.getMetadata().getName())
        .sorted()
        .findFirst()
        .orElse("a fleet");
  }

  static List<String> instanceTypes(ServerFleet fleet) {
    return SpecDefaults.instanceTypes(fleet.getSpec().getTemplate());
  }

  /**
   * This fleet or the first other (by name) whose instance type only its launch template knows: the
   * quota holds (the template's type of other fleets is not resolved here).
   */
  private static Optional<String> typeFromLaunchTemplate(
      ServerFleet fleet, List<ServerFleet> others) {
    if (instanceTypes(fleet).isEmpty()) {
      return Optional.of("this fleet");
    }
    return others.stream()
        .filter(f -> instanceTypes(f).isEmpty())
        .map(f -> "fleet " + f.getMetadata().getName())
        .sorted()
        .findFirst();
  }

  /** The fleet's type of the most vCPUs: what each of its replicas counts as. */
  private static String largest(ServerFleet fleet, Map<String, Integer> sizes) {
    return instanceTypes(fleet).stream().max(Comparator.comparing(sizes::get)).orElseThrow();
  }

  private static String namespace(ServerFleet fleet) {
    return fleet.getMetadata().getNamespace();
  }
}
