package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.testing.OperatorTestBed;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad manifests are refused by the real API server, through the real kubectl, with a message that
 * names the field and says what is wanted, and nothing is stored.
 */
class InvalidManifestIT extends OperatorTestBed {
  private static String ns;

  @BeforeAll
  static void namespace() {
    ns = newNamespace();
  }

  static Stream<Arguments> invalidManifests() {
    return Stream.of(
        bad("short-ami", "amiId: ami-123", "amiId must be 'ami-' followed by 8 or 17 lowercase hex digits"),
        bad("uppercase-ami", "amiId: ami-0ABCDEF1234567890", "amiId must be 'ami-' followed by 8 or 17"),
        bad("negative-replicas", "replicas: -1", "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
        bad("huge-replicas", "replicas: 5000", "should be less than or equal to 1000"),
        bad("no-subnets", "subnetIds: []", "spec.template.subnetIds: Invalid value: 0: spec.template.subnetIds in body should have at least 1 items"),
        bad("missing-subnets", "subnetIds: null", "spec.template.subnetIds: Required value"),
        bad("malformed-subnet", "subnetIds: [subnet-xyz]", "spec.template.subnetIds[0] in body should match '^subnet-([0-9a-f]{8}|[0-9a-f]{17})$'"),
        bad("repeated-subnet", "subnetIds: [subnet-0aaaaaaaaaaaaaaaa, subnet-0aaaaaaaaaaaaaaaa]", "subnetIds must not repeat a subnet"),
        bad("malformed-sg", "securityGroupIds: [sg-nope]", "spec.template.securityGroupIds[0] in body should match '^sg-"),
        bad("reserved-tag", "tags: {serverfleet.dev/cluster: mine}", "tag keys starting with serverfleet.dev/ are reserved for the operator"),
        bad("aws-tag", "tags: {\"aws:cloudformation:stack-name\": x}", "tag keys starting with serverfleet.dev/ are reserved for the operator, and aws: for AWS"),
        bad("huge-user-data", "userData: " + "x".repeat(16385), "spec.template.userData: Too long: may not be more than 16384 bytes"),
        bad("bad-capacity", "capacityType: reserved", "spec.template.capacityType: Unsupported value: \"reserved\": supported values: \"on-demand\", \"spot\""),
        bad("bad-policy", "deletionPolicy: Orphan", "spec.deletionPolicy: Unsupported value: \"Orphan\": supported values: \"Delete\", \"Retain\""),
        bad("bad-imds", "metadataOptions: {httpTokens: maybe}", "spec.template.metadataOptions.httpTokens: Unsupported value: \"maybe\""),
        bad("bad-hops", "metadataOptions: {httpPutResponseHopLimit: 0}", "should be greater than or equal to 1"),
        bad("bad-type", "instanceType: micro", "instanceType must be an EC2 instance type such as t3.micro"),
        bad("role-not-profile", "iamInstanceProfile: \"arn:aws:iam::123456789012:role/web\"", "iamInstanceProfile must be an instance profile name or an instance-profile ARN"),
        bad("typo-field", "amiID: ami-0abcdef1234567890", "unknown field \"spec.template.amiID\""),
        bad("no-template", "template: null", "spec.template: Required value"),
        bad("zero-surge-and-unavailable", "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: \"0%\"}}",
            "maxSurge and maxUnavailable must not both be 0: the rollout could never make progress"),
        bad("bad-surge", "strategy: {rollingUpdate: {maxSurge: lots}}",
            "maxSurge must be a non-negative integer or a percentage such as 25%"),
        bad("negative-unavailable", "strategy: {rollingUpdate: {maxUnavailable: -1}}",
            "maxUnavailable must be a non-negative integer or a percentage such as 25%"),
        bad("recreate-with-bounds", "strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}",
            "rollingUpdate may only be set when type is RollingUpdate"),
        bad("bad-strategy", "strategy: {type: BlueGreen}", "spec.strategy.type: Unsupported value: \"BlueGreen\""),
        bad("negative-min-ready", "minReadySeconds: -5", "spec.minReadySeconds: Invalid value: -5"),
        bad("bad-health-check", "healthCheck: {type: HTTP}", "spec.healthCheck.type: Unsupported value: \"HTTP\""),
        bad("bad-scale-down-policy", "scaleDownPolicy: Random", "spec.scaleDownPolicy: Unsupported value: \"Random\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void refusedWithAClearMessageAndNothingStored(String name, String manifest, String expected) {
    var applied = kubectl.runWithInput(manifest, "apply", "-n", ns, "-f", "-");

    assertThat(applied.exitCode()).as("kubectl apply of %s should fail:%n%s", name, applied.output()).isNotZero();
    assertThat(applied.output()).contains(expected);
    var stored = kubectl.run("get", "serverfleet", name, "-n", ns);
    assertThat(stored.exitCode()).isNotZero();
    assertThat(stored.stderr()).contains("NotFound");
  }

  @Test
  void theValidBaseManifestIsAccepted() {
    var applied = kubectl.runWithInput(manifest("valid", ""), "apply", "--dry-run=server", "-n", ns, "-f", "-");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    var explained = kubectl.run("explain", "serverfleet.spec.template.amiId");
    assertThat(explained.stdout()).contains("ID of the Amazon Machine Image");
  }

  private static Arguments bad(String name, String override, String expected) {
    return Arguments.of(name, manifest(name, override), expected);
  }

  /**
   * A valid ServerFleet with one line replaced: {@code override} is {@code key: value} for a key
   * of spec or spec.template ({@code key: null} removes it).
   */
  static String manifest(String name, String override) {
    String spec = """
        replicas: 2
        deletionPolicy: Delete
        """;
    String template = """
        amiId: ami-0abcdef1234567890
        instanceType: t3.micro
        subnetIds: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
        securityGroupIds: [sg-0123456789abcdef0]
        tags: {team: shop}
        """;
    if (!override.isEmpty()) {
      String key = override.substring(0, override.indexOf(':'));
      boolean remove = override.endsWith(": null");
      boolean inSpec = java.util.Set.of("replicas", "deletionPolicy", "template", "strategy", "minReadySeconds",
          "healthCheck", "scaleDownPolicy", "paused").contains(key);
      if (key.equals("template")) {
        template = null;
      } else if (inSpec) {
        spec = replace(spec, key, remove ? null : override);
      } else {
        template = replace(template, key, remove ? null : override);
      }
    }
    StringBuilder yaml = new StringBuilder("""
        apiVersion: serverfleet.dev/v1alpha1
        kind: ServerFleet
        metadata:
          name: %s
        spec:
        """.formatted(name));
    spec.lines().forEach(l -> yaml.append("  ").append(l).append('\n'));
    if (template != null) {
      yaml.append("  template:\n");
      template.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
    }
    return yaml.toString();
  }

  private static String replace(String block, String key, String line) {
    StringBuilder out = new StringBuilder();
    boolean found = false;
    for (String l : block.lines().toList()) {
      if (l.startsWith(key + ":")) {
        found = true;
        if (line != null) {
          out.append(line).append('\n');
        }
      } else {
        out.append(l).append('\n');
      }
    }
    if (!found && line != null) {
      out.append(line).append('\n');
    }
    return out.toString();
  }
}
