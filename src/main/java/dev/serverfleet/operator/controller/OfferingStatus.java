package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.UnavailableOffering;
import dev.serverfleet.operator.fleet.Offering;
import dev.serverfleet.operator.planning.InstanceTypeChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The fleet's unavailable offerings as status shows them: by zone, then in the fleet's order. */
final class OfferingStatus {
  static final String NOT_OFFERED = "NotOffered";

  private OfferingStatus() {}

  /**
   * @param choice the fleet's types, zones and every offering unavailable now
   * @param shortages the offerings avoided for a while, with why and until when; an unavailable
   *     offering not among them is one the zone does not offer
   */
  static List<UnavailableOffering> of(
      InstanceTypeChoice choice, Map<Offering, UnavailableOfferings.Entry> shortages) {
    List<UnavailableOffering> out = new ArrayList<>();
    for (String zone : new TreeSet<>(choice.zoneBySubnet().values())) {
      for (String type : choice.instanceTypes()) {
        Offering o = new Offering(choice.capacityType(), type, zone);
        UnavailableOfferings.Entry shortage = shortages.get(o);
        if (shortage != null) {
          out.add(
              new UnavailableOffering(
                  type,
                  zone,
                  o.capacityType(),
                  shortage.reason(),
                  StatusBuilder.seconds(shortage.until())));
        } else if (choice.unavailable().contains(o)) {
          out.add(new UnavailableOffering(type, zone, o.capacityType(), NOT_OFFERED, null));
        }
      }
    }
    return out;
  }
}
