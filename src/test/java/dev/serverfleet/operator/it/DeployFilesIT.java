package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-written files of deploy/: the IAM policy (well-formed for Python's json and IAM's shape,
 * least privilege), the Grafana dashboard (only metric names the operator exports) and the Argo CD
 * Application example.
 */
class DeployFilesIT {
  static final Path IAM_POLICY = Path.of("deploy", "iam-policy.json");
  static final Path IAM_EXAMPLE = Path.of("deploy", "iam-policy.example.json");
  static final Path DASHBOARD = Path.of("deploy", "grafana", "serverfleet-operator.json");

  /**
   * Every metric the operator exports under these prefixes, as /metrics names them: the operator's
   * own (runtime, cloud and controller packages) and Java Operator SDK 5.2.3's MicrometerMetrics
   * for the controller named "serverfleet", without per-resource metrics.
   */
  static final Set<String> EXPORTED =
      Set.of(
          "serverfleet_ec2_calls_seconds_count",
          "serverfleet_ec2_calls_seconds_sum",
          "serverfleet_ec2_calls_seconds_max",
          "serverfleet_instances_launched_total",
          "serverfleet_instances_terminated_total",
          "serverfleet_fleet_replicas",
          "serverfleet_launch_fallbacks_total",
          "serverfleet_interruption_messages_total",
          "serverfleet_drain_seconds_count",
          "serverfleet_drain_seconds_sum",
          "serverfleet_drain_seconds_max",
          "operator_sdk_controllers_execution_reconcile_seconds_bucket",
          "operator_sdk_controllers_execution_reconcile_seconds_count",
          "operator_sdk_controllers_execution_reconcile_seconds_sum",
          "operator_sdk_controllers_execution_reconcile_seconds_max",
          "operator_sdk_controllers_execution_reconcile_success_total",
          "operator_sdk_controllers_execution_reconcile_failure_total",
          "operator_sdk_controllers_execution_cleanup_seconds_count",
          "operator_sdk_controllers_execution_cleanup_seconds_sum",
          "operator_sdk_reconciliations_started_total",
          "operator_sdk_reconciliations_success_total",
          "operator_sdk_reconciliations_failed_total",
          "operator_sdk_events_received_total",
          "operator_sdk_events_delete_total",
          "operator_sdk_reconciliations_executions_serverfleet",
          "operator_sdk_reconciliations_queue_size_serverfleet");

  static final Pattern METRIC = Pattern.compile("\\b(?:serverfleet|operator_sdk)_[a-z0-9_]+");

  /** Checked with Python's json module, as AWS tooling reads it, and for IAM's structure. */
  static final String CHECK_POLICY =
      """
      import json, sys
      with open(sys.argv[1]) as f:
          policy = json.load(f)
      assert policy["Version"] == "2012-10-17", policy.get("Version")
      sids = [s["Sid"] for s in policy["Statement"]]
      assert len(sids) == len(set(sids)), "duplicate Sid"
      actions = set()
      for s in policy["Statement"]:
          assert s["Effect"] == "Allow", s
          assert set(s) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, s
          acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
          for a in acts:
              assert "*" not in a, "wildcard action " + a
          actions.update(acts)
      print(" ".join(sorted(actions)))
      """;

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void iamPolicyIsWellFormedJson() {
    var checked = Helm.run(CHECK_POLICY, 1, "python3", "-", IAM_POLICY.toString());
    assertThat(checked.exitCode()).as(checked.output()).isZero();
    assertThat(checked.stdout().strip())
        .isEqualTo(
            "ec2:CreateTags ec2:DeleteTags ec2:DescribeImages ec2:DescribeInstanceStatus "
                + "ec2:DescribeInstanceTypeOfferings ec2:DescribeInstanceTypes ec2:DescribeInstances "
                + "ec2:DescribeLaunchTemplateVersions ec2:DescribeSecurityGroups ec2:DescribeSubnets"
                + " ec2:RunInstances "
                + "ec2:TerminateInstances elasticloadbalancing:DeregisterTargets "
                + "elasticloadbalancing:DescribeTargetGroupAttributes "
                + "elasticloadbalancing:DescribeTargetHealth elasticloadbalancing:RegisterTargets "
                + "iam:PassRole "
                + "sqs:DeleteMessage sqs:GetQueueAttributes sqs:ReceiveMessage "
                + "ssm:GetCommandInvocation ssm:GetParameter ssm:SendCommand");
  }

  @Test
  void iamPolicyGrantsOnlyWhatTheOperatorNeeds() throws IOException {
    JsonNode statements = JSON.readTree(IAM_POLICY.toFile()).get("Statement");
    JsonNode describe = statement(statements, "DescribeInTheOperatorsRegion");
    assertThat(describe.at("/Condition/StringEquals/aws:RequestedRegion").asText())
        .isEqualTo("${AWS_REGION}");

    JsonNode launch = statement(statements, "LaunchOnlyTaggedInstancesAndVolumes");
    assertThat(
            launch.at("/Condition/StringEquals/aws:RequestTag~1serverfleet.dev~1cluster").asText())
        .isEqualTo("${CLUSTER_NAME}");
    assertThat(texts(launch.get("Resource")))
        .allMatch(r -> r.endsWith(":instance/*") || r.endsWith(":volume/*"));
    assertThat(texts(statement(statements, "LaunchUsingTheseResources").get("Resource")))
        .noneMatch(r -> r.endsWith(":instance/*") || r.endsWith(":volume/*"))
        // fleets may launch from a launch template (spec.template.launchTemplate)
        .contains("arn:aws:ec2:${AWS_REGION}:*:launch-template/*");

    assertThat(
            statement(statements, "TagOnlyAtLaunch")
                .at("/Condition/StringEquals/ec2:CreateAction")
                .asText())
        .isEqualTo("RunInstances");
    // volumes and network interfaces are tagged by RunInstances too (cost reports see them)
    assertThat(texts(statement(statements, "TagOnlyAtLaunch").get("Resource")))
        .anyMatch(r -> r.endsWith(":volume/*"))
        .anyMatch(r -> r.endsWith(":network-interface/*"));
    for (String sid :
        new String[] {
          "TerminateOnlyOperatorInstances", "UntagOnlyOperatorTagsOfOperatorInstances"
        }) {
      assertThat(
              statement(statements, sid)
                  .at("/Condition/StringEquals/aws:ResourceTag~1serverfleet.dev~1cluster")
                  .asText())
          .as(sid)
          .isEqualTo("${CLUSTER_NAME}");
    }
    assertThat(
            statement(statements, "UntagOnlyOperatorTagsOfOperatorInstances")
                .at("/Condition/ForAllValues:StringLike/aws:TagKeys")
                .asText())
        .isEqualTo("serverfleet.dev/*");
    assertThat(texts(statement(statements, "ReadAmiParametersOfAwsAndServerfleet").get("Resource")))
        .as(
            "SSM parameters of AWS's public tree and the documented prefix, in the operator's region")
        .containsExactly(
            "arn:aws:ssm:${AWS_REGION}:*:parameter/aws/service/*",
            "arn:aws:ssm:${AWS_REGION}:*:parameter/serverfleet/*");
    // ELBv2 cannot scope RegisterTargets/DeregisterTargets by the instance's tags: target groups
    // of the operator's region only; the describes take no resource, so the region condition
    assertThat(statement(statements, "RegisterTargetsInTargetGroupsOnly").get("Resource").asText())
        .isEqualTo("arn:aws:elasticloadbalancing:${AWS_REGION}:*:targetgroup/*");
    assertThat(
            statement(statements, "DescribeTargetGroupsInTheOperatorsRegion")
                .at("/Condition/StringEquals/aws:RequestedRegion")
                .asText())
        .isEqualTo("${AWS_REGION}");
    JsonNode passRole = statement(statements, "PassOnlyFleetRolesToEc2");
    assertThat(passRole.at("/Condition/StringEquals/iam:PassedToService").asText())
        .isEqualTo("ec2.amazonaws.com");
    assertThat(passRole.get("Resource").asText())
        .isEqualTo("arn:aws:iam::*:role/${INSTANCE_ROLE_PATH}*");
    assertThat(statement(statements, "ConsumeTheInterruptionQueue").get("Resource").asText())
        .as("only the interruption queue")
        .isEqualTo("arn:aws:sqs:${AWS_REGION}:*:${INTERRUPTION_QUEUE}");
    assertThat(JSON.readTree(IAM_POLICY.toFile()).toString())
        .as("no condition accepts any cluster")
        .doesNotContain("StringLike\":{\"aws:RequestTag", "StringLike\":{\"aws:ResourceTag");
  }

  @Test
  void renderedPolicyPassesParliament() {
    var lint = Helm.run("", 5, "scripts/iam-policy", "lint");
    assertThat(lint.exitCode()).as(lint.output()).isZero();
    assertThat(lint.stdout()).contains("0 finding(s) of MEDIUM severity or worse");
  }

  /** The lint is not vacuous: each deliberately broken copy of the rendered policy fails it. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "condition operator misspelt | \"Null\": | \"Nul\": | UNKNOWN_OPERATOR",
        "condition key misspelt | iam:PassedToService | iam:PassedToServic | UNKNOWN_CONDITION_FOR_ACTION",
        "action misspelt | ec2:TerminateInstances | ec2:TerminateInstance | UNKNOWN_ACTION",
        "RunInstances on no subnet | :subnet/* | :instance/* | RESOURCE_MISMATCH",
      })
  void brokenPolicyFailsParliament(
      String what, String from, String to, String issue, @TempDir Path dir) throws IOException {
    String example = Files.readString(IAM_EXAMPLE);
    assertThat(example).as(what).contains(from);
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, example.replace(from, to));
    var lint = Helm.run("", 5, "scripts/iam-policy", "lint", broken.toString());
    assertThat(lint.exitCode()).as(lint.output()).isEqualTo(1);
    assertThat(lint.stdout()).as(what).contains(issue);
  }

  @Test
  void dashboardUsesOnlyExportedMetrics() throws IOException {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    Set<String> used = new TreeSet<>();
    dashboard
        .findValues("expr")
        .forEach(e -> METRIC.matcher(e.asText()).results().forEach(m -> used.add(m.group())));
    dashboard
        .findValues("definition")
        .forEach(e -> METRIC.matcher(e.asText()).results().forEach(m -> used.add(m.group())));
    assertThat(used).as("metric names in %s", DASHBOARD).isNotEmpty().isSubsetOf(EXPORTED);
    assertThat(used)
        .contains(
            "serverfleet_fleet_replicas",
            "serverfleet_ec2_calls_seconds_count",
            "operator_sdk_controllers_execution_reconcile_seconds_bucket",
            "serverfleet_instances_launched_total",
            "serverfleet_instances_terminated_total");
    assertThat(dashboard.findValues("title").stream().map(JsonNode::asText))
        .contains(
            "Desired vs ready instances per fleet",
            "EC2 calls by operation and outcome",
            "EC2 errors by operation and outcome",
            "Reconcile latency",
            "Launches",
            "Terminations by reason",
            "Launch fallbacks by reason",
            "Interruption messages by type and outcome",
            "Drains by action and outcome");
  }

  @Test
  void argoApplicationExampleDeploysTheChart() {
    var docs = Helm.documents(readString(Path.of("deploy", "argocd", "application.yaml")));
    assertThat(docs)
        .isNotEmpty()
        .allMatch(
            d ->
                d.path("apiVersion").asText().equals("argoproj.io/v1alpha1")
                    && d.path("kind").asText().equals("Application"));
    JsonNode operator = docs.get(0);
    assertThat(operator.at("/spec/source/path").asText()).isEqualTo("helm/serverfleet-operator");
    assertThat(operator.at("/spec/destination/namespace").asText()).isEqualTo("serverfleet-system");
  }

  private static JsonNode statement(JsonNode statements, String sid) {
    for (JsonNode s : statements) {
      if (sid.equals(s.path("Sid").asText())) {
        return s;
      }
    }
    throw new AssertionError("no statement " + sid);
  }

  private static java.util.List<String> texts(JsonNode node) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return out;
  }

  private static String readString(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
