package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClassPolicy} for fleets with a launch template: the class's launchTemplates list, and what
 * the resolved version sets where the fleet sets nothing, against the class's other lists.
 */
class LaunchTemplatePolicyTest {
  static final String ID = "lt-0aaa1111bbbb2222c";

  static final String GOLD =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata: {name: gold}
      spec:
        instanceProfiles: [web]
        securityGroupIds: [sg-0aaa1111]
        amiIds: [ami-0abcdef1234567890]
        instanceTypes: [t3.micro]
        launchTemplates: [web, lt-0aaa1111bbbb2222c]
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "listed by name                | web   | -        | -                    | -        | -        | -",
        "not listed                    | other | -        | -                    | -        | -        | spec.template.launchTemplate: other is not allowed by ServerFleetClass gold",
        "its resolved id is listed     | alias | -        | -                    | -        | -        | -",
        "the version's image           | web   | image    | ami-0bad0000bad00000 | -        | -        | launch template web (lt-0aaa1111bbbb2222c) version 2 sets ImageId: ami-0bad0000bad00000 is not allowed by ServerFleetClass gold",
        "the fleet's image wins        | web   | image    | ami-0bad0000bad00000 | amiId    | -        | -",
        "the version's type            | web   | type     | m7g.large            | -        | -        | launch template web (lt-0aaa1111bbbb2222c) version 2 sets InstanceType: m7g.large is not allowed by ServerFleetClass gold",
        "the fleet's type wins         | web   | type     | m7g.large            | type     | -        | -",
        "the version's profile         | web   | profile  | admin                | -        | -        | launch template web (lt-0aaa1111bbbb2222c) version 2 sets IamInstanceProfile: admin is not allowed by ServerFleetClass gold",
        "the version's security group  | web   | group    | sg-0bad0000          | -        | -        | launch template web (lt-0aaa1111bbbb2222c) version 2 sets SecurityGroupIds: sg-0bad0000 is not allowed by ServerFleetClass gold",
        "the fleet's groups win        | web   | group    | sg-0bad0000          | groups   | -        | -",
        "a class without the list      | other | -        | -                    | -        | open     | -",
      })
  void verdict(
      String label,
      String templateName,
      String versionSetting,
      String versionValue,
      String fleetSets,
      String classSetting,
      String expected) {
    ServerFleet fleet = LoopHarness.newFleet(1);
    fleet.getSpec().setClassName("gold");
    LaunchTemplateRef ref = new LaunchTemplateRef();
    ref.setName(templateName);
    var t = fleet.getSpec().getTemplate();
    t.setLaunchTemplate(ref);
    t.setAmiId("amiId".equals(fleetSets) ? "ami-0abcdef1234567890" : null);
    t.setInstanceType("type".equals(fleetSets) ? "t3.micro" : null);
    t.setSecurityGroupIds("groups".equals(fleetSets) ? List.of("sg-0aaa1111") : null);
    String setting = Optional.ofNullable(versionSetting).orElse("");
    LaunchTemplateVersion v =
        new LaunchTemplateVersion(
            "other".equals(templateName) ? "lt-0ccc3333dddd4444e" : ID,
            templateName,
            2,
            setting.equals("image") ? versionValue : "ami-0abcdef1234567890",
            setting.equals("type") ? versionValue : "t3.micro",
            setting.equals("profile") ? versionValue : "web",
            List.of(setting.equals("group") ? versionValue : "sg-0aaa1111"));
    String yaml =
        "open".equals(classSetting)
            ? "apiVersion: serverfleet.dev/v1alpha1\nkind: ServerFleetClass\nmetadata: {name: gold}\nspec: {}\n"
            : GOLD;
    ServerFleetClass gold = ClassPolicyTest.klass(yaml);

    ClassPolicy.Verdict verdict =
        ClassPolicy.check(
            fleet,
            SpecDefaults.launchSettings(t, v),
            SpecDefaults.subnetIds(fleet),
            List.of(gold),
            List.of(fleet),
            types -> java.util.Map.of());

    assertThat(verdict.className()).isEqualTo("gold");
    assertThat(verdict.refusal()).isEqualTo(Optional.ofNullable(expected));
  }

  @org.junit.jupiter.api.Test
  void aVcpuQuotaHoldsAFleetWhoseTypeOnlyItsTemplateKnows() {
    ServerFleet fleet = LoopHarness.newFleet(1);
    fleet.getSpec().setClassName("gold");
    LaunchTemplateRef ref = new LaunchTemplateRef();
    ref.setName("web");
    fleet.getSpec().getTemplate().setLaunchTemplate(ref);
    fleet.getSpec().getTemplate().setInstanceType(null);
    LaunchTemplateVersion v =
        new LaunchTemplateVersion(ID, "web", 1, null, "t3.micro", null, List.of());
    ServerFleetClass gold =
        ClassPolicyTest.klass(
            "apiVersion: serverfleet.dev/v1alpha1\nkind: ServerFleetClass\nmetadata: {name: gold}\n"
                + "spec: {maxVcpusPerNamespace: 8}\n");

    ClassPolicy.Verdict verdict =
        ClassPolicy.check(
            fleet,
            SpecDefaults.launchSettings(fleet.getSpec().getTemplate(), v),
            SpecDefaults.subnetIds(fleet),
            List.of(gold),
            List.of(fleet),
            types -> java.util.Map.of("t3.micro", 2));

    assertThat(verdict.refusal())
        .hasValue(
            "maxVcpusPerNamespace of ServerFleetClass gold cannot be checked: this fleet takes its"
                + " instance type from its launch template: set spec.template.instanceType to count"
                + " its vCPUs");
  }
}
