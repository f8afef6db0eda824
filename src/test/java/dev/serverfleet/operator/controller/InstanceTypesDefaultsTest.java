package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.planning.Revision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** instanceType and instanceTypes as SpecDefaults reads them, and the revisions they give. */
class InstanceTypesDefaultsTest {

  private static FleetTemplate template(String single, List<String> list) {
    FleetTemplate t = new FleetTemplate();
    t.setAmiId("ami-0123456789abcdef0");
    t.setSubnetIds(List.of("subnet-00000001"));
    t.setInstanceType(single);
    t.setInstanceTypes(list);
    return t;
  }

  @Test
  void theSingleTypeIsAListOfOne() {
    assertThat(SpecDefaults.launchSettings(template("t3.micro", null)).instanceTypes())
        .containsExactly("t3.micro");
  }

  @Test
  void theListKeepsItsOrder() {
    assertThat(
            SpecDefaults.launchSettings(template(null, List.of("m7i.large", "m6i.large")))
                .instanceTypes())
        .containsExactly("m7i.large", "m6i.large");
  }

  @Test
  void migratingFromInstanceTypeToAListOfOneKeepsTheRevision() {
    String single = Revision.of(SpecDefaults.launchSettings(template("t3.micro", null)));
    String listOfOne =
        Revision.of(SpecDefaults.launchSettings(template(null, List.of("t3.micro"))));

    assertThat(listOfOne).isEqualTo(single);
  }

  @Test
  void addingAFallbackTypeIsANewRevision() {
    String single = Revision.of(SpecDefaults.launchSettings(template("t3.micro", null)));
    String two =
        Revision.of(SpecDefaults.launchSettings(template(null, List.of("t3.micro", "t3.small"))));

    assertThat(two).isNotEqualTo(single);
  }
}
