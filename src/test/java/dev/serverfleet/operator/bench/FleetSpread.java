package dev.serverfleet.operator.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many instances to add in each subnet so a fleet stays spread as evenly as it can without
 * terminating any: each new instance goes to the subnet that holds the fewest (the first such in
 * the list), as the operator's AZ balance does. Pure.
 */
final class FleetSpread {
  private FleetSpread() {}

  /**
   * The instances to launch per subnet (only subnets that get some, in list order) to add {@code
   * count} to a fleet that now holds {@code current} per subnet (missing subnets hold none).
   */
  static Map<String, Integer> topUp(List<String> subnets, Map<String, Integer> current, int count) {
    Map<String, Integer> after = new LinkedHashMap<>();
    subnets.forEach(s -> after.put(s, current.getOrDefault(s, 0)));
    Map<String, Integer> added = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String fewest = subnets.get(0);
      for (String s : subnets) {
        if (after.get(s) < after.get(fewest)) {
          fewest = s;
        }
      }
      after.merge(fewest, 1, Integer::sum);
      added.merge(fewest, 1, Integer::sum);
    }
    Map<String, Integer> ordered = new LinkedHashMap<>();
    subnets.stream().filter(added::containsKey).forEach(s -> ordered.put(s, added.get(s)));
    return ordered;
  }
}
