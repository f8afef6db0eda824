package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The capacity side of {@link FakeEc2}, per offering, as AWS documents it and moto lacks: a zone
 * that has no capacity for an instance type answers RunInstances with InsufficientInstanceCapacity
 * (HTTP 500, a server error on EC2), and a zone that does not offer the type with Unsupported (HTTP
 * 400); DescribeInstanceTypeOfferings leaves the latter out. Every type is offered everywhere and
 * has capacity unless said otherwise. Not thread-safe: {@link FakeEc2} holds its lock.
 */
final class FakeCapacity {
  private record TypeInZone(String instanceType, String zone) {}

  private final Map<TypeInZone, String> shortages = new HashMap<>();
  private final Map<TypeInZone, String> spotShortages = new HashMap<>();
  private final Set<TypeInZone> notOffered = new HashSet<>();

  void shortage(String instanceType, String zone, String code) {
    if (code == null) {
      shortages.remove(new TypeInZone(instanceType, zone));
    } else {
      shortages.put(new TypeInZone(instanceType, zone), code);
    }
  }

  /** Spot capacity only: on-demand launches of the type in the zone still succeed. */
  void spotShortage(String instanceType, String zone, String code) {
    if (code == null) {
      spotShortages.remove(new TypeInZone(instanceType, zone));
    } else {
      spotShortages.put(new TypeInZone(instanceType, zone), code);
    }
  }

  void notOffered(String instanceType, String zone) {
    notOffered.add(new TypeInZone(instanceType, zone));
  }

  void clear() {
    shortages.clear();
    spotShortages.clear();
    notOffered.clear();
  }

  /** The refusal a launch of this type in this zone, in this market, gets, if any. */
  Optional<CloudException> refusal(String instanceType, String zone, boolean spot) {
    TypeInZone key = new TypeInZone(instanceType, zone);
    if (notOffered.contains(key)) {
      return Optional.of(
          ErrorClassifier.fromCode(
              FakeEc2.RUN,
              "Unsupported",
              "Your requested instance type ("
                  + instanceType
                  + ") is not supported in your requested Availability Zone ("
                  + zone
                  + "). Please retry your request by not specifying an Availability Zone or"
                  + " choosing another one.",
              400));
    }
    String code = shortages.get(key);
    if (code == null && spot) {
      code = spotShortages.get(key);
    }
    if (code == null) {
      return Optional.empty();
    }
    return Optional.of(
        ErrorClassifier.fromCode(
            FakeEc2.RUN,
            code,
            "We currently do not have sufficient "
                + instanceType
                + " capacity in the Availability Zone you requested ("
                + zone
                + "). Our system will be working on provisioning additional capacity.",
            code.startsWith("Insufficient") ? 500 : 400));
  }

  /** Of the types, those each zone offers (all but the ones said not to be). */
  Map<String, Set<String>> offered(Collection<String> types, Collection<String> zones) {
    Map<String, Set<String>> out = new HashMap<>();
    for (String zone : zones) {
      Set<String> there = new HashSet<>();
      types.stream().filter(t -> !notOffered.contains(new TypeInZone(t, zone))).forEach(there::add);
      out.put(zone, Set.copyOf(there));
    }
    return out;
  }
}
