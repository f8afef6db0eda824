package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.Capacity;
import dev.serverfleet.operator.api.v1alpha1.CapacityType;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.planning.CapacityMix;
import dev.serverfleet.operator.planning.Revision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** capacityType and capacity as the operator reads them, and the revisions they give. */
class CapacityDefaultsTest {

  private static FleetTemplate template(CapacityType shorthand, Capacity capacity) {
    FleetTemplate t = new FleetTemplate();
    t.setAmiId("ami-0123456789abcdef0");
    t.setSubnetIds(List.of("subnet-00000001"));
    t.setInstanceType("t3.micro");
    t.setCapacityType(shorthand);
    t.setCapacity(capacity);
    return t;
  }

  private static Capacity capacity(
      CapacityType type, Integer base, Integer percent, Boolean fallback) {
    Capacity c = new Capacity();
    c.setType(type);
    c.setOnDemandBase(base);
    c.setOnDemandPercentageAboveBase(percent);
    c.setSpotFallbackToOnDemand(fallback);
    return c;
  }

  private static String revision(FleetTemplate t) {
    return Revision.of(SpecDefaults.launchSettings(t));
  }

  @Test
  void theShorthandAndTheLonghandAreTheSameRevision() {
    assertThat(revision(template(null, capacity(CapacityType.SPOT, null, null, null))))
        .isEqualTo(revision(template(CapacityType.SPOT, null)));
    assertThat(revision(template(null, capacity(CapacityType.ON_DEMAND, null, null, null))))
        .isEqualTo(revision(template(CapacityType.ON_DEMAND, null)))
        .isEqualTo(revision(template(null, null)));
    assertThat(revision(template(CapacityType.SPOT, null)))
        .isNotEqualTo(revision(template(CapacityType.ON_DEMAND, null)));
  }

  @Test
  void theMixIsNotPartOfTheRevisionLikeSubnets() {
    // changing the mix re-balances markets by replacing instances, not every instance at once
    assertThat(revision(template(null, capacity(CapacityType.SPOT, 2, 50, true))))
        .isEqualTo(revision(template(CapacityType.SPOT, null)));
  }

  @Test
  void theMixWithItsDefaults() {
    assertThat(CapacityDefaults.capacityMix(template(null, null))).isEqualTo(CapacityMix.ON_DEMAND);
    assertThat(CapacityDefaults.capacityMix(template(CapacityType.ON_DEMAND, null)))
        .isEqualTo(CapacityMix.ON_DEMAND);
    assertThat(CapacityDefaults.capacityMix(template(CapacityType.SPOT, null)))
        .isEqualTo(CapacityMix.SPOT);
    assertThat(
            CapacityDefaults.capacityMix(template(null, capacity(CapacityType.SPOT, 2, 50, true))))
        .isEqualTo(new CapacityMix(2, 50, true));
    assertThat(
            CapacityDefaults.capacityMix(
                template(null, capacity(CapacityType.SPOT, null, 30, null))))
        .isEqualTo(new CapacityMix(0, 30, false));
  }

  @Test
  void historyStoresTheLonghandAsWrittenWithoutAddingTheShorthand() {
    ServerFleet fleet = LoopHarness.newFleet(2);
    fleet.getSpec().getTemplate().setCapacityType(null);
    fleet.getSpec().getTemplate().setCapacity(capacity(CapacityType.SPOT, 1, null, true));
    var data =
        SpecDefaults.revisionData(
            fleet, SpecDefaults.launchSettings(fleet.getSpec().getTemplate()));

    // both set would be refused by the CRD when an undo writes the template back
    assertThat(data.template().getCapacityType()).isNull();
    assertThat(data.template().getCapacity().getType()).isEqualTo(CapacityType.SPOT);
  }
}
