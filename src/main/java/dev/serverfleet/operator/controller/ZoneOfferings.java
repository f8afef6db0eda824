package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Offerings;
import dev.serverfleet.operator.fleet.Offering;
import dev.serverfleet.operator.planning.InstanceTypeChoice;
import dev.serverfleet.operator.planning.LaunchSettings;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the operator learns once per process about where EC2 sells what: each subnet's zone
 * (DescribeSubnets) and whether a zone offers an instance type at all
 * (DescribeInstanceTypeOfferings, asked only for pairs not known yet, filtered by the fleets' types
 * and zones). A subnet never moves and zones gain types over months, so nothing here expires. A
 * failed call is logged and asked again by the next pass; until then the pass decides on what is
 * known (an unknown zone: the subnet is judged by shortages alone).
 */
final class ZoneOfferings {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ZoneOfferings.class);

  /** Zone of each subnet asked; "" for a subnet EC2 did not show. */
  private final Map<String, String> zoneBySubnet = new ConcurrentHashMap<>();

  /** By zone, by instance type: whether the zone offers it. */
  private final Map<String, Map<String, Boolean>> offered = new ConcurrentHashMap<>();

  private final Offerings port;

  ZoneOfferings(Offerings port) {
    this.port = port;
  }

  /**
   * The choice of instance type for a fleet's launches now: its types in order, its subnets' zones,
   * and what is unavailable (shortages in {@code shortages}, types a zone never offers).
   */
  InstanceTypeChoice choice(
      LaunchSettings settings,
      List<String> subnetIds,
      UnavailableOfferings shortages,
      Instant now) {
    String capacityType = Offering.capacityType(settings.spot());
    Map<String, String> zones = zones(subnetIds);
    Set<Offering> unavailable = new HashSet<>(shortages.current(now).keySet());
    notOffered(settings.launchableTypes(), Set.copyOf(zones.values()))
        .forEach(
            (zone, types) ->
                types.forEach(t -> unavailable.add(new Offering(capacityType, t, zone))));
    return new InstanceTypeChoice(settings.launchableTypes(), capacityType, zones, unavailable);
  }

  /** The zones of the given subnets that are known, asking EC2 once for those never asked. */
  Map<String, String> zones(List<String> subnetIds) {
    List<String> unasked = subnetIds.stream().filter(s -> !zoneBySubnet.containsKey(s)).toList();
    if (!unasked.isEmpty()) {
      try {
        Map<String, String> found = port.zonesOf(unasked);
        unasked.forEach(s -> zoneBySubnet.put(s, found.getOrDefault(s, "")));
      } catch (CloudException e) {
        log.warn("could not learn the zones of {}: {} ({})", unasked, e.getMessage(), e.code());
      }
    }
    Map<String, String> known = new LinkedHashMap<>();
    subnetIds.forEach(
        s -> {
          String zone = zoneBySubnet.get(s);
          if (zone != null && !zone.isEmpty()) {
            known.put(s, zone);
          }
        });
    return known;
  }

  /** By zone, the given types the zone does not offer, asking EC2 once for unknown pairs. */
  Map<String, Set<String>> notOffered(List<String> types, Collection<String> zones) {
    Set<String> unknownTypes = new HashSet<>();
    Set<String> unknownZones = new HashSet<>();
    for (String zone : zones) {
      for (String type : types) {
        if (!offered.getOrDefault(zone, Map.of()).containsKey(type)) {
          unknownTypes.add(type);
          unknownZones.add(zone);
        }
      }
    }
    if (!unknownTypes.isEmpty()) {
      learn(unknownTypes, unknownZones);
    }
    Map<String, Set<String>> missing = new HashMap<>();
    for (String zone : zones) {
      for (String type : types) {
        if (Boolean.FALSE.equals(offered.getOrDefault(zone, Map.of()).get(type))) {
          missing.computeIfAbsent(zone, z -> new HashSet<>()).add(type);
        }
      }
    }
    return missing;
  }

  private void learn(Set<String> types, Set<String> zones) {
    try {
      Map<String, Set<String>> answer = port.offeredTypes(types, zones);
      for (String zone : zones) {
        Set<String> there = answer.getOrDefault(zone, Set.of());
        Map<String, Boolean> known = offered.computeIfAbsent(zone, z -> new ConcurrentHashMap<>());
        types.forEach(t -> known.put(t, there.contains(t)));
      }
    } catch (CloudException e) {
      log.warn(
          "could not learn which of {} the zones {} offer: {} ({})",
          types,
          zones,
          e.getMessage(),
          e.code());
    }
  }
}
