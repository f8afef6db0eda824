package dev.serverfleet.operator.planning;

import dev.serverfleet.operator.fleet.Offering;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of the fleet's instance types a launch in a subnet uses: the first in the fleet's order
 * whose offering (capacity type × instance type × the subnet's zone) is not known to be
 * unavailable. Pure: what is unavailable (capacity shortages for a while, types a zone never
 * offers) is given.
 *
 * <p>A subnet whose zone is unknown is never judged: every type counts as available there, and a
 * capacity shortage in it is handled by avoiding the subnet. A subnet where every listed type is
 * unavailable is <em>exhausted</em>: launches go to other subnets while any is not, and when all
 * are, each launch uses the preferred type again (the fleet still wants its instances; the next
 * failure says whether capacity came back).
 *
 * @param instanceTypes the fleet's types, preferred first (at least one)
 * @param capacityType {@link Offering#ON_DEMAND} or {@link Offering#SPOT}
 * @param zoneBySubnet the Availability Zone of each subnet known so far
 * @param unavailable offerings not to launch now, of any fleet's types and capacity types
 */
public record InstanceTypeChoice(
    List<String> instanceTypes,
    String capacityType,
    Map<String, String> zoneBySubnet,
    Set<Offering> unavailable) {

  public InstanceTypeChoice {
    if (instanceTypes == null || instanceTypes.isEmpty()) {
      throw new IllegalArgumentException("at least one instance type is required");
    }
    instanceTypes = List.copyOf(instanceTypes);
    zoneBySubnet = Map.copyOf(zoneBySubnet);
    unavailable = Set.copyOf(unavailable);
  }

  /** Only the preferred type, nothing known about zones: how a fleet launched before offerings. */
  public static InstanceTypeChoice only(String instanceType) {
    return new InstanceTypeChoice(List.of(instanceType), Offering.ON_DEMAND, Map.of(), Set.of());
  }

  public String preferred() {
    return instanceTypes.get(0);
  }

  /** The first type available in the subnet, or empty when the subnet is exhausted. */
  public Optional<String> available(String subnetId) {
    String zone = zoneBySubnet.get(subnetId);
    if (zone == null) {
      return Optional.of(preferred());
    }
    return instanceTypes.stream()
        .filter(t -> !unavailable.contains(new Offering(capacityType, t, zone)))
        .findFirst();
  }

  /** The type for a new launch in the subnet: the first available, else the preferred one. */
  public String typeFor(String subnetId) {
    return available(subnetId).orElse(preferred());
  }

  /** The given subnets where no listed type is available now. */
  public Set<String> exhausted(List<String> subnetIds) {
    return subnetIds.stream()
        .filter(s -> available(s).isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The same choice with one more offering unavailable. */
  public InstanceTypeChoice without(Offering offering) {
    Set<Offering> more = new java.util.HashSet<>(unavailable);
    more.add(offering);
    return new InstanceTypeChoice(instanceTypes, capacityType, zoneBySubnet, more);
  }

  /**
   * The same choice for launches in this market (on-demand or spot); null: this choice. The
   * unavailable offerings are shared by every market, each named with its own.
   */
  public InstanceTypeChoice forMarket(String market) {
    return market == null || market.equals(capacityType)
        ? this
        : new InstanceTypeChoice(instanceTypes, market, zoneBySubnet, unavailable);
  }
}
