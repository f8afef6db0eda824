package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rule of {@link ClassPolicy}, one row each: which class applies and what it refuses. */
class ClassPolicyTest {

  /** Allows exactly what {@link #fleet} uses, in namespace team-a, up to 5 instances there. */
  static final String GOLD =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata: {name: gold, creationTimestamp: "2026-01-01T00:00:00Z"}
      spec:
        namespaces: [team-a]
        instanceProfiles: [web]
        subnetIds: [subnet-0aaa1111, subnet-0bbb2222]
        securityGroupIds: [sg-0aaa1111]
        amiIds: [ami-0abcdef1234567890]
        instanceTypes: [t3.micro]
        maxInstancesPerNamespace: 5
        ssmParameters: [/serverfleet/gold/ami]
        amiOwners: ["123456789012", self]
        targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"]
      """;

  /** A default class that allows nothing but t3.nano. */
  static final String TINY_DEFAULT =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: tiny
        creationTimestamp: "2026-01-02T00:00:00Z"
        annotations: {serverfleet.dev/is-default-class: "true"}
      spec: {instanceTypes: [t3.nano]}
      """;

  /** An older default class with no limits at all. */
  static final String OPEN_OLD_DEFAULT =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: open
        creationTimestamp: "2025-01-01T00:00:00Z"
        annotations: {serverfleet.dev/is-default-class: "true"}
      spec: {}
      """;

  /** An older default class for team-b only. */
  static final String LEGACY_OLD_DEFAULT =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: legacy
        creationTimestamp: "2025-06-01T00:00:00Z"
        annotations: {serverfleet.dev/is-default-class: "true"}
      spec: {namespaces: [team-b]}
      """;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "no class, no default        | -    | -                                         | -     | - | -",
        "no class, a default applies | -    | -                                         | -     | default | tiny: spec.template.instanceType: t3.micro is not allowed by ServerFleetClass tiny",
        "several defaults all apply: the newest refuses | - | -                     | -     | both defaults | tiny,open: spec.template.instanceType: t3.micro is not allowed by ServerFleetClass tiny",
        "several defaults all apply: both allow | - | instanceType: t3.nano            | -     | both defaults | tiny,open:",
        "several defaults all apply: the older refuses | - | instanceType: t3.nano     | -     | tiny and legacy | tiny,legacy: namespace team-a may not use ServerFleetClass legacy",
        "allowed                     | gold | -                                         | -     | - | gold:",
        "missing class               | iron | -                                         | -     | - | iron: spec.className: no ServerFleetClass named iron exists",
        "namespace not listed        | gold | -                                         | team-b | - | gold: namespace team-b may not use ServerFleetClass gold",
        "profile                     | gold | iamInstanceProfile: admin                 | -     | - | gold: spec.template.iamInstanceProfile: admin is not allowed by ServerFleetClass gold",
        "no profile is allowed       | gold | iamInstanceProfile: null                  | -     | - | gold:",
        "subnet                      | gold | subnetIds: [subnet-0aaa1111, subnet-0ccc3333] | - | - | gold: spec.template.subnetIds: subnet-0ccc3333 is not allowed by ServerFleetClass gold",
        "security group              | gold | securityGroupIds: [sg-0bad0000]           | -     | - | gold: spec.template.securityGroupIds: sg-0bad0000 is not allowed by ServerFleetClass gold",
        "AMI                         | gold | amiId: ami-0badbadbadbadbad0              | -     | - | gold: spec.template.amiId: ami-0badbadbadbadbad0 is not allowed by ServerFleetClass gold",
        "instance type               | gold | instanceType: m7g.large                   | -     | - | gold: spec.template.instanceType: m7g.large is not allowed by ServerFleetClass gold",
        "target group allowed        | gold | loadBalancer: {targetGroupArns: [\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef\"]} | - | - | gold:",
        "target group                | gold | loadBalancer: {targetGroupArns: [\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef\", \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/fedcba9876543210\"]} | - | - | gold: spec.loadBalancer.targetGroupArns: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/fedcba9876543210 is not allowed by ServerFleetClass gold",
        "quota: 3 + 2 neighbours = 5 | gold | replicas: 3                               | -     | neighbour 2 | gold:",
        "quota: 4 + 2 neighbours > 5 | gold | replicas: 4                               | -     | neighbour 2 | gold: spec.replicas: 6 instances in namespace team-a (4 of this fleet, 2 of its other fleets) exceed maxInstancesPerNamespace 5 of ServerFleetClass gold",
        "quota ignores other classes | gold | replicas: 5                               | -     | neighbour in open | gold:",
      })
  void verdict(
      String label,
      String className,
      String templateLine,
      String namespace,
      String setting,
      String expected) {
    List<ServerFleetClass> classes =
        switch (Optional.ofNullable(setting).orElse("")) {
          case "default" -> List.of(klass(GOLD), klass(TINY_DEFAULT));
          case "both defaults" -> List.of(klass(OPEN_OLD_DEFAULT), klass(TINY_DEFAULT));
          case "tiny and legacy" -> List.of(klass(LEGACY_OLD_DEFAULT), klass(TINY_DEFAULT));
          case "neighbour in open" -> List.of(klass(GOLD), klass(OPEN_OLD_DEFAULT));
          default -> List.of(klass(GOLD));
        };
    String ns = namespace == null ? "team-a" : namespace;
    ServerFleet fleet = fleet("web", "uid-1", ns, className, templateLine);
    List<ServerFleet> neighbours =
        switch (Optional.ofNullable(setting).orElse("")) {
          case "neighbour 2" -> List.of(fleet, fleet("api", "uid-2", ns, "gold", "replicas: 2"));
          case "neighbour in open" -> List.of(fleet("api", "uid-2", ns, "open", "replicas: 9"));
          default -> List.of(fleet);
        };

    ClassPolicy.Verdict verdict = ClassPolicy.check(fleet, classes, neighbours);

    if (expected == null) {
      assertThat(verdict).isEqualTo(ClassPolicy.Verdict.NONE);
      return;
    }
    String[] parts = expected.split(": ", 2);
    String applied =
        parts[0].endsWith(":") ? parts[0].substring(0, parts[0].length() - 1) : parts[0];
    assertThat(verdict.className()).isEqualTo(applied);
    assertThat(verdict.refusal())
        .isEqualTo(parts.length == 2 ? Optional.of(parts[1]) : Optional.empty());
  }

  /** Where an amiSelector may look: the class's ssmParameters and amiOwners. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "listed parameter     | {ssmParameter: /serverfleet/gold/ami}   | -",
        "unlisted parameter   | {ssmParameter: /aws/service/x}          | spec.template.amiSelector.ssmParameter: /aws/service/x is not allowed by ServerFleetClass gold",
        "listed owners        | '{name: web-*, owners: [self, \"123456789012\"]}' | -",
        "no owners            | '{name: web-*}'                         | spec.template.amiSelector.owners: ServerFleetClass gold allows only images of the owners in its amiOwners; name them in owners",
        "an unlisted owner    | '{tags: {a: b}, owners: [self, amazon]}' | spec.template.amiSelector.owners: amazon is not allowed by ServerFleetClass gold",
      })
  void whereASelectorMayLook(String label, String selector, String expected) {
    ServerFleet fleet = fleet("web", "uid-1", "team-a", "gold", "amiId: null");
    fleet
        .getSpec()
        .getTemplate()
        .setAmiSelector(
            Serialization.unmarshal(
                    "amiSelector: " + selector,
                    dev.serverfleet.operator.api.v1alpha1.FleetTemplate.class)
                .getAmiSelector());
    var settings =
        new dev.serverfleet.operator.planning.LaunchSettings(
            "ami-0abcdef1234567890",
            List.of("t3.micro"),
            List.of("sg-0aaa1111"),
            null,
            "web",
            null,
            false,
            true,
            2,
            java.util.Map.of());
    ClassPolicy.Verdict verdict =
        ClassPolicy.check(
            fleet,
            settings,
            List.of("subnet-0aaa1111"),
            List.of(klass(GOLD)),
            List.of(fleet),
            types -> java.util.Map.of());
    assertThat(verdict.refusal()).isEqualTo(Optional.ofNullable(expected));
  }

  static ServerFleetClass klass(String yaml) {
    return Serialization.unmarshal(yaml, ServerFleetClass.class);
  }

  /**
   * A fleet in {@code ns} using what GOLD allows; {@code line} replaces one key of spec or
   * template.
   */
  static ServerFleet fleet(String name, String uid, String ns, String className, String line) {
    String template =
        """
        amiId: ami-0abcdef1234567890
        instanceType: t3.micro
        subnetIds: [subnet-0aaa1111, subnet-0bbb2222]
        securityGroupIds: [sg-0aaa1111]
        iamInstanceProfile: web
        """;
    String replicas = "replicas: 1";
    if (line != null) {
      String key = line.substring(0, line.indexOf(':'));
      if (key.equals("replicas") || key.equals("loadBalancer")) {
        replicas = key.equals("replicas") ? line : replicas + "\n  " + line;
      } else {
        template = template.replaceAll("(?m)^" + key + ":.*$", line.endsWith(": null") ? "" : line);
      }
    }
    String yaml =
        "apiVersion: serverfleet.dev/v1alpha1\nkind: ServerFleet\n"
            + "metadata: {name: "
            + name
            + ", namespace: "
            + ns
            + ", uid: "
            + uid
            + "}\nspec:\n  "
            + replicas
            + "\n"
            + (className == null ? "" : "  className: " + className + "\n")
            + "  template:\n"
            + template.indent(4);
    return Serialization.unmarshal(yaml, ServerFleet.class);
  }
}
