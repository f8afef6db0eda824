package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad manifests are refused by the real API server, through the real kubectl, with a message that
 * names the field and says what is wanted, and nothing is stored.
 */
class InvalidManifestIT extends OperatorTestBed {
  private static final String GATE_KINDS =
      "lifecycle.readinessGate needs exactly one of tag, ssmCommand or webhook";

  private static String ns;

  @BeforeAll
  static void namespace() {
    ns = newNamespace();
  }

  static Stream<Arguments> invalidManifests() {
    return Stream.of(
        bad(
            "lb-no-target-groups",
            "loadBalancer: {targetGroupArns: []}",
            "spec.loadBalancer.targetGroupArns in body should have at least 1 items"),
        bad(
            "lb-missing-target-groups",
            "loadBalancer: {port: 80}",
            "spec.loadBalancer.targetGroupArns: Required value"),
        bad(
            "lb-six-target-groups",
            "loadBalancer: {targetGroupArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web0/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web1/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web2/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web3/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web4/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web5/0123456789abcdef]}",
            "spec.loadBalancer.targetGroupArns: Too many: 6: must have at most 5 items"),
        bad(
            "lb-not-a-target-group",
            "loadBalancer: {targetGroupArns: [\"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0\"]}",
            "spec.loadBalancer.targetGroupArns[0] in body should match"),
        bad(
            "lb-repeated-target-group",
            "loadBalancer: {targetGroupArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef, arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef]}",
            "loadBalancer.targetGroupArns must not repeat a target group"),
        bad(
            "lb-port-zero",
            "loadBalancer: {targetGroupArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef], port: 0}",
            "spec.loadBalancer.port in body should be greater than or equal to 1"),
        bad(
            "lb-port-too-high",
            "loadBalancer: {targetGroupArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef], port: 70000}",
            "spec.loadBalancer.port in body should be less than or equal to 65535"),
        bad(
            "lb-negative-cap",
            "loadBalancer: {targetGroupArns: [arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef], deregistrationDelayCapSeconds: -1}",
            "spec.loadBalancer.deregistrationDelayCapSeconds in body should be greater than or equal to 0"),
        bad(
            "elb-health-without-lb",
            "healthCheck: {type: ELB}",
            "healthCheck.type ELB needs loadBalancer (the target groups whose health counts)"),
        bad(
            "short-ami",
            "amiId: ami-123",
            "amiId must be 'ami-' followed by 8 or 17 lowercase hex digits"),
        bad(
            "uppercase-ami",
            "amiId: ami-0ABCDEF1234567890",
            "amiId must be 'ami-' followed by 8 or 17"),
        bad(
            "negative-replicas",
            "replicas: -1",
            "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
        bad("huge-replicas", "replicas: 5000", "should be less than or equal to 1000"),
        bad(
            "no-subnets",
            "subnetIds: []",
            "spec.template.subnetIds: Invalid value: 0: spec.template.subnetIds in body should have at least 1 items"),
        bad(
            "missing-subnets",
            "subnetIds: null",
            "spec.template: Invalid value: \"object\": exactly one of subnetIds or subnetSelector must be set"),
        bad(
            "malformed-subnet",
            "subnetIds: [subnet-xyz]",
            "spec.template.subnetIds[0] in body should match '^subnet-([0-9a-f]{8}|[0-9a-f]{17})$'"),
        bad(
            "repeated-subnet",
            "subnetIds: [subnet-0aaaaaaaaaaaaaaaa, subnet-0aaaaaaaaaaaaaaaa]",
            "subnetIds must not repeat a subnet"),
        bad(
            "malformed-sg",
            "securityGroupIds: [sg-nope]",
            "spec.template.securityGroupIds[0] in body should match '^sg-"),
        bad(
            "reserved-tag",
            "tags: {serverfleet.dev/cluster: mine}",
            "tag keys starting with serverfleet.dev/ are reserved for the operator"),
        bad(
            "aws-tag",
            "tags: {\"aws:cloudformation:stack-name\": x}",
            "tag keys starting with serverfleet.dev/ are reserved for the operator, and aws: (in any case) for AWS"),
        bad(
            "huge-user-data",
            "userData: " + "x".repeat(16385),
            "spec.template.userData: Too long: may not be more than 16384 bytes"),
        bad(
            "bad-capacity",
            "capacityType: reserved",
            "spec.template.capacityType: Unsupported value: \"reserved\": supported values: \"on-demand\", \"spot\""),
        bad(
            "bad-policy",
            "deletionPolicy: Orphan",
            "spec.deletionPolicy: Unsupported value: \"Orphan\": supported values: \"Delete\", \"Retain\""),
        bad(
            "bad-imds",
            "metadataOptions: {httpTokens: maybe}",
            "spec.template.metadataOptions.httpTokens: Unsupported value: \"maybe\""),
        bad(
            "bad-hops",
            "metadataOptions: {httpPutResponseHopLimit: 0}",
            "should be greater than or equal to 1"),
        bad(
            "bad-type",
            "instanceType: micro",
            "instanceType must be an EC2 instance type such as t3.micro"),
        bad(
            "role-not-profile",
            "iamInstanceProfile: \"arn:aws:iam::123456789012:role/web\"",
            "iamInstanceProfile must be an instance profile name or an instance-profile ARN"),
        bad("typo-field", "amiID: ami-0abcdef1234567890", "unknown field \"spec.template.amiID\""),
        bad(
            "both-type-fields",
            "instanceTypes: [t3.micro, t3.small]",
            "exactly one of instanceType and instanceTypes must be set"),
        bad(
            "no-type-field",
            "instanceType: null",
            "exactly one of instanceType and instanceTypes must be set"),
        badTypes(
            "empty-types",
            "[]",
            "spec.template.instanceTypes in body should have at least 1 items"),
        badTypes(
            "twenty-one-types",
            types(21),
            "spec.template.instanceTypes: Too many: 21: must have at most 20 items"),
        badTypes(
            "repeated-type",
            "[m7i.large, m6i.large, m7i.large]",
            "instanceTypes must not repeat a type"),
        badTypes(
            "bad-type-in-list",
            "[m7i.large, large]",
            "instanceTypes must list EC2 instance types such as t3.micro or m7g.large"),
        bad("no-template", "template: null", "spec.template: Required value"),
        bad(
            "zero-surge-and-unavailable",
            "strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: \"0%\"}}",
            "maxSurge and maxUnavailable must not both be 0: the rollout could never make progress"),
        bad(
            "bad-surge",
            "strategy: {rollingUpdate: {maxSurge: lots}}",
            "maxSurge must be a non-negative integer or a percentage such as 25%"),
        bad(
            "negative-unavailable",
            "strategy: {rollingUpdate: {maxUnavailable: -1}}",
            "maxUnavailable must be a non-negative integer or a percentage such as 25%"),
        bad(
            "recreate-with-bounds",
            "strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}",
            "rollingUpdate may only be set when type is RollingUpdate"),
        bad(
            "bad-strategy",
            "strategy: {type: BlueGreen}",
            "spec.strategy.type: Unsupported value: \"BlueGreen\""),
        bad("negative-min-ready", "minReadySeconds: -5", "spec.minReadySeconds: Invalid value: -5"),
        bad(
            "bad-health-check",
            "healthCheck: {type: HTTP}",
            "spec.healthCheck.type: Unsupported value: \"HTTP\""),
        bad(
            "bad-scale-down-policy",
            "scaleDownPolicy: Random",
            "spec.scaleDownPolicy: Unsupported value: \"Random\""),
        // EC2's own limits, refused here instead of failing every launch
        bad(
            "empty-tag-key",
            "tags: {\"\": x}",
            "spec.template.tags: Invalid value: \"object\": tag keys must not be empty"),
        bad(
            "long-tag-key",
            "tags: {" + "k".repeat(129) + ": x}",
            "spec.template.tags: Invalid value: \"object\": tag keys must be at most 128 characters (EC2's limit)"),
        bad(
            "long-tag-value",
            "tags: {team: " + "v".repeat(257) + "}",
            "spec.template.tags.team: Too long: may not be more than 256"),
        bad(
            "too-many-tags",
            "tags: " + tags(44),
            "spec.template.tags: Too many: 44: must have at most 43 items"),
        bad("uppercase-aws-tag", "tags: {\"AWS:team\": x}", "and aws: (in any case) for AWS"),
        bad(
            "multibyte-user-data",
            "userData: " + "\u20ac".repeat(5462),
            "spec.template.userData: Invalid value: \"string\": userData must be at most 16384 bytes (16 KiB) in UTF-8, "
                + "EC2's limit before base64 encoding"),
        bad(
            "unavailable-over-100",
            "strategy: {rollingUpdate: {maxUnavailable: \"110%\"}}",
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"\": maxUnavailable must be at most 100% "
                + "(more than every instance cannot be unavailable), not 110%"),
        bad(
            "deadline-equals-min-ready",
            "minReadySeconds: 60\nprogressDeadlineSeconds: 60",
            "spec.progressDeadlineSeconds: Invalid value: \"object\": progressDeadlineSeconds (600 when omitted) must be "
                + "greater than minReadySeconds, as for a Deployment"),
        bad(
            "min-ready-beyond-default-deadline",
            "minReadySeconds: 900",
            "progressDeadlineSeconds (600 when omitted) must be greater than minReadySeconds"),
        bad(
            "checkpoint-at-100",
            "strategy: {rollingUpdate: {checkpoints: {percentages: [10, 100]}}}",
            "spec.strategy.rollingUpdate.checkpoints.percentages: Invalid value: \"array\": "
                + "checkpoints.percentages must each be between 1 and 99"),
        bad(
            "checkpoints-unsorted",
            "strategy: {rollingUpdate: {checkpoints: {percentages: [50, 10]}}}",
            "checkpoints.percentages must be in increasing order, such as [10, 50]"),
        bad(
            "checkpoint-repeated",
            "strategy: {rollingUpdate: {checkpoints: {percentages: [10, 10]}}}",
            "checkpoints.percentages must not repeat a percentage"),
        bad(
            "checkpoints-without-percentages",
            "strategy: {rollingUpdate: {checkpoints: {pauseSeconds: 60}}}",
            "spec.strategy.rollingUpdate.checkpoints.percentages: Required value"),
        bad(
            "checkpoints-empty",
            "strategy: {rollingUpdate: {checkpoints: {percentages: []}}}",
            "spec.strategy.rollingUpdate.checkpoints.percentages in body should have at least 1 items"),
        bad(
            "checkpoint-negative-pause",
            "strategy: {rollingUpdate: {checkpoints: {percentages: [10], pauseSeconds: -5}}}",
            "spec.strategy.rollingUpdate.checkpoints.pauseSeconds in body should be greater than or equal to 0"),
        bad(
            "checkpoints-with-recreate",
            "strategy: {type: Recreate, rollingUpdate: {checkpoints: {percentages: [10]}}}",
            "rollingUpdate may only be set when type is RollingUpdate"),
        bad(
            "history-limit-negative",
            "revisionHistoryLimit: -1",
            "spec.revisionHistoryLimit in body should be greater than or equal to 0"),
        bad(
            "auto-rollback-not-a-boolean",
            "strategy: {autoRollback: \"sometimes\"}",
            "spec.strategy.autoRollback: Invalid value: \"string\": spec.strategy.autoRollback in body must be of type boolean"),
        bad(
            "hook-both-actions",
            "lifecycle: {preTerminate: {webhook: {url: \"https://drain.example.com/d\"},"
                + " ssmCommand: {documentName: AWS-RunShellScript}}}",
            "lifecycle.preTerminate needs exactly one action: webhook or ssmCommand"),
        bad(
            "hook-no-action",
            "lifecycle: {preTerminate: {defaultResult: Continue}}",
            "lifecycle.preTerminate needs exactly one action: webhook or ssmCommand"),
        bad(
            "hook-http-scheme",
            "lifecycle: {preTerminate: {webhook: {url: \"http://drain.example.com/d\"}}}",
            "webhook.url must be an absolute https:// URL with a host"),
        bad(
            "hook-link-local",
            "lifecycle: {preTerminate: {webhook: {url: \"https://169.254.10.1/drain\"}}}",
            "webhook.url must not point at a loopback, link-local (169.254.0.0/16, fe80::/10) or"
                + " instance metadata address"),
        bad(
            "hook-metadata-ip",
            "lifecycle: {preTerminate: {webhook: {url: \"https://169.254.169.254/latest\"}}}",
            "webhook.url must not point at a loopback, link-local"),
        bad(
            "hook-ipv6-link-local",
            "lifecycle: {preTerminate: {webhook: {url: \"https://[fe80::1]/drain\"}}}",
            "webhook.url must not point at a loopback, link-local"),
        bad(
            "hook-ipv6-metadata",
            "lifecycle: {preTerminate: {webhook: {url: \"https://[fd00:ec2::254]/drain\"}}}",
            "webhook.url must not point at a loopback, link-local"),
        bad(
            "hook-loopback",
            "lifecycle: {preTerminate: {webhook: {url: \"https://127.0.0.1:8443/drain\"}}}",
            "webhook.url must not point at a loopback, link-local"),
        bad(
            "hook-localhost",
            "lifecycle: {preTerminate: {webhook: {url: \"https://localhost/drain\"}}}",
            "webhook.url must not name localhost, the metadata service or a cluster-internal name"),
        bad(
            "hook-cluster-service",
            "lifecycle: {preTerminate: {webhook: {url: \"https://drainer.ops.svc.cluster.local/d\"}}}",
            "webhook.url must not name localhost, the metadata service or a cluster-internal name"),
        bad(
            "hook-svc-name",
            "lifecycle: {preTerminate: {webhook: {url: \"https://drainer.ops.svc/d\"}}}",
            "webhook.url must not name localhost, the metadata service or a cluster-internal name"),
        bad(
            "hook-plain-text-secret",
            "lifecycle: {preTerminate: {webhook: {url: \"https://drain.example.com/d\","
                + " headerFrom: {headerName: Authorization, value: \"Bearer s3cret\"}}}}",
            "unknown field \"spec.lifecycle.preTerminate.webhook.headerFrom.value\""),
        bad(
            "hook-timeout-too-long",
            "lifecycle: {preTerminate: {webhook: {url: \"https://drain.example.com/d\","
                + " timeoutSeconds: 7200}}}",
            "spec.lifecycle.preTerminate.webhook.timeoutSeconds in body should be less than or"
                + " equal to 3600"),
        bad(
            "hook-ssm-timeout-too-short",
            "lifecycle: {preTerminate: {ssmCommand: {documentName: AWS-RunShellScript,"
                + " timeoutSeconds: 5}}}",
            "spec.lifecycle.preTerminate.ssmCommand.timeoutSeconds in body should be greater than"
                + " or equal to 30"),
        bad(
            "gate-reserved-key",
            "lifecycle: {readinessGate: {tag: {key: serverfleet.dev/ready, value: \"true\"}}}",
            "readinessGate.tag.key must not start with serverfleet.dev/ (the operator's) or aws:"),
        bad("gate-none", "lifecycle: {readinessGate: {}}", GATE_KINDS),
        bad(
            "gate-two-kinds",
            "lifecycle: {readinessGate: {tag: {key: app/ready, value: \"true\"},"
                + " ssmCommand: {documentName: AWS-RunShellScript}}}",
            GATE_KINDS),
        bad(
            "gate-three-kinds",
            "lifecycle: {readinessGate: {tag: {key: app/ready, value: \"true\"},"
                + " ssmCommand: {documentName: AWS-RunShellScript},"
                + " webhook: {url: \"https://ready.example.com/r\"}}}",
            GATE_KINDS),
        bad(
            "gate-webhook-link-local",
            "lifecycle: {readinessGate: {webhook: {url: \"https://169.254.169.254/latest\"}}}",
            "webhook.url must not point at a loopback, link-local (169.254.0.0/16, fe80::/10) or"
                + " instance metadata address"),
        bad(
            "gate-webhook-http",
            "lifecycle: {readinessGate: {webhook: {url: \"http://ready.example.com/r\"}}}",
            "webhook.url must be an absolute https:// URL with a host (and no user info)"),
        bad(
            "gate-webhook-cluster-internal",
            "lifecycle: {readinessGate: {webhook: {url: \"https://ready.ops.svc.cluster.local/r\"}}}",
            "webhook.url must not name localhost, the metadata service or a cluster-internal name"),
        bad(
            "gate-ssm-short-timeout",
            "lifecycle: {readinessGate: {ssmCommand: {documentName: AWS-RunShellScript,"
                + " timeoutSeconds: 5}}}",
            "spec.lifecycle.readinessGate.ssmCommand.timeoutSeconds in body should be greater than"
                + " or equal to 30"),
        bad(
            "hook-bad-default-result",
            "lifecycle: {preTerminate: {defaultResult: Retry, ssmCommand: {documentName: AWS-RunShellScript}}}",
            "spec.lifecycle.preTerminate.defaultResult: Unsupported value: \"Retry\""),
        // selectors: amiSelector, subnetSelector, securityGroupSelector
        bad(
            "ami-id-and-selector",
            "amiSelector: {ssmParameter: /serverfleet/web/ami}",
            "spec.template: Invalid value: \"object\": exactly one of amiId or amiSelector must be set"),
        bad("no-ami", "amiId: null", "exactly one of amiId or amiSelector must be set"),
        swapped(
            "ssm-and-name",
            "amiId",
            "amiSelector: {ssmParameter: /serverfleet/web/ami, name: web-*}",
            "spec.template.amiSelector: Invalid value: \"object\": amiSelector must give either ssmParameter "
                + "alone, or name and/or tags (optionally with owners)"),
        swapped(
            "owners-only",
            "amiId",
            "amiSelector: {owners: [self]}",
            "amiSelector must give either ssmParameter alone, or name and/or tags"),
        swapped(
            "empty-ami-selector",
            "amiId",
            "amiSelector: {}",
            "amiSelector must give either ssmParameter alone, or name and/or tags"),
        swapped(
            "bad-owner",
            "amiId",
            "amiSelector: {name: web-*, owners: [someone]}",
            "spec.template.amiSelector.owners[0] in body should match "
                + "'^([0-9]{12}|self|amazon|aws-marketplace)$'"),
        swapped(
            "bad-ssm-name",
            "amiId",
            "amiSelector: {ssmParameter: \"my parameter\"}",
            "spec.template.amiSelector.ssmParameter in body should match"),
        bad(
            "subnet-ids-and-selector",
            "subnetSelector: {tags: {tier: web}}",
            "exactly one of subnetIds or subnetSelector must be set"),
        swapped(
            "empty-subnet-selector",
            "subnetIds",
            "subnetSelector: {tags: {}}",
            "spec.template.subnetSelector.tags: Invalid value: 0: spec.template.subnetSelector.tags "
                + "in body should have at least 1 properties"),
        swapped(
            "subnet-selector-without-tags",
            "subnetIds",
            "subnetSelector: {}",
            "spec.template.subnetSelector.tags: Required value"),
        bad(
            "sg-ids-and-selector",
            "securityGroupSelector: {tags: {tier: web}}",
            "spec.template: Invalid value: \"object\": at most one of securityGroupIds or "
                + "securityGroupSelector may be set"),
        swapped(
            "empty-selector-tag-key",
            "securityGroupIds",
            "securityGroupSelector: {tags: {\"\": web}}",
            "selector tag keys must have 1 to 128 characters"),
        swapped(
            "too-many-selector-tags",
            "subnetIds",
            "subnetSelector: {tags: " + tags(9) + "}",
            "spec.template.subnetSelector.tags: Too many: 9: must have at most 8 items"),
        // the instance maintenance policy, as Auto Scaling groups bound it
        bad(
            "maintenance-min-over-100",
            "maintenance: {minHealthyPercentage: 101}",
            "spec.maintenance.minHealthyPercentage in body should be less than or equal to 100"),
        bad(
            "maintenance-max-under-100",
            "maintenance: {maxHealthyPercentage: 90}",
            "spec.maintenance.maxHealthyPercentage in body should be greater than or equal to 100"),
        bad(
            "maintenance-max-over-200",
            "maintenance: {minHealthyPercentage: 100, maxHealthyPercentage: 201}",
            "spec.maintenance.maxHealthyPercentage in body should be less than or equal to 200"),
        bad(
            "maintenance-range-over-100",
            "maintenance: {minHealthyPercentage: 50}",
            "maintenance.maxHealthyPercentage (200 when omitted) may exceed"
                + " maintenance.minHealthyPercentage (100 when omitted) by at most 100"),
        bad(
            "maintenance-both-100",
            "maintenance: {maxHealthyPercentage: 100}",
            "maintenance.minHealthyPercentage and maxHealthyPercentage must not both be 100"),
        bad(
            "capacity-rebalance-not-a-boolean",
            "capacityRebalance: \"yes\"",
            "spec.capacityRebalance: Invalid value: \"string\": spec.capacityRebalance in body must be of type boolean"),
        badName(
            "long-name",
            "n".repeat(ServerFleet.MAX_NAME + 1),
            "Invalid value: \"object\": metadata.name must be at most 192 characters: the operator tags every "
                + "instance serverfleet.dev/fleet=<namespace>/<name>, and EC2 tag values hold at most 256 characters"));
  }

  /** Right at EC2's limits: accepted. */
  static Stream<Arguments> validEdgeCases() {
    return Stream.of(
        good("longest-tag-key", "tags: {" + "k".repeat(128) + ": x}"),
        good("longest-tag-value", "tags: {team: " + "v".repeat(256) + "}"),
        good("most-tags", "tags: " + tags(43)),
        good("aws-without-colon", "tags: {awsAccount: shop, \"aws\": x}"),
        good("empty-tag-value", "tags: {team: \"\"}"),
        good(
            "ten-checkpoints",
            "strategy: {autoRollback: true, rollingUpdate: {checkpoints: {percentages: [1, 2, 3, 4,"
                + " 5, 6, 7, 8, 9, 99], pauseSeconds: 0}}}"),
        good("no-history", "revisionHistoryLimit: 0"),
        Arguments.of(
            "twenty-types",
            withoutSingleType(manifest("twenty-types", "instanceTypes: " + types(20)))),
        Arguments.of(
            "list-of-one", withoutSingleType(manifest("list-of-one", "instanceTypes: [t3.micro]"))),
        good("largest-ascii-user-data", "userData: " + "x".repeat(16384)),
        // 5461 three-byte characters and one one-byte character: 16384 bytes
        good("largest-multibyte-user-data", "userData: " + "\u20ac".repeat(5461) + "x"),
        good(
            "all-unavailable",
            "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: \"100%\"}}"),
        good("deadline-just-after-min-ready", "minReadySeconds: 600\nprogressDeadlineSeconds: 601"),
        good(
            "hook-webhook-with-secret-header",
            "lifecycle: {preTerminate: {defaultResult: Abandon, webhook: {url:"
                + " \"https://drain.example.com:8443/v1/drain?team=shop\", timeoutSeconds: 3600,"
                + " headerFrom: {headerName: Authorization, secretKeyRef: {name: drain-token, key:"
                + " token}}}}}"),
        good(
            "hook-ssm-command",
            "lifecycle: {preTerminate: {ssmCommand: {documentName: AWS-RunShellScript,"
                + " timeoutSeconds: 30, parameters: {commands: [\"systemctl stop worker\"]}}}}"),
        good(
            "gate-tag",
            "lifecycle: {readinessGate: {tag: {key: app/ready, value: \"true\"}},"
                + " preTerminate: {ssmCommand: {documentName: AWS-RunShellScript}}}"),
        good(
            "gate-ssm-command",
            "lifecycle: {readinessGate: {ssmCommand: {documentName: AWS-RunShellScript,"
                + " timeoutSeconds: 60, parameters: {commands: [\"curl -fs localhost/healthz\"]}}}}"),
        good(
            "gate-webhook-with-secret-header",
            "lifecycle: {readinessGate: {webhook: {url: \"https://ready.example.com/v1/ready\","
                + " timeoutSeconds: 5, headerFrom: {headerName: Authorization, secretKeyRef: {name:"
                + " ready-token, key: token}}}}}"),
        good(
            "hook-public-ip",
            "lifecycle: {preTerminate: {webhook: {url: \"https://[2001:db8::1]/drain\"}}}"),
        goodName("longest-name", "n".repeat(ServerFleet.MAX_NAME)),
        goodSwapped(
            "ami-by-ssm",
            "amiId",
            "amiSelector: {ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}"),
        goodSwapped(
            "ami-by-name-owners-tags",
            "amiId",
            "amiSelector: {name: \"al2023-ami-2023.*-x86_64\", owners: [amazon, \"123456789012\"], tags: {team: shop}}"),
        goodSwapped("ami-by-tags", "amiId", "amiSelector: {tags: {release: stable}}"),
        goodSwapped(
            "subnets-by-tags", "subnetIds", "subnetSelector: {tags: {tier: web, env: \"*\"}}"),
        goodSwapped(
            "groups-by-tags", "securityGroupIds", "securityGroupSelector: {tags: {tier: web}}"),
        good("no-security-groups", "securityGroupIds: null"),
        good(
            "maintenance-terminate-first",
            "maintenance: {minHealthyPercentage: 0, maxHealthyPercentage: 100}"),
        good(
            "maintenance-asg-preset",
            "maintenance: {minHealthyPercentage: 100, maxHealthyPercentage: 110}\ncapacityRebalance: true"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "invalidManifests",
    "dev.serverfleet.operator.it.LaunchOptionManifests#invalid",
    "dev.serverfleet.operator.it.LaunchTemplateManifests#invalid"
  })
  void refusedWithAClearMessageAndNothingStored(
      String label, String name, String manifest, String expected) {
    var applied = kubectl.runWithInput(manifest, "apply", "-n", ns, "-f", "-");

    assertThat(applied.exitCode())
        .as("kubectl apply of %s should fail:%n%s", label, applied.output())
        .isNotZero();
    assertThat(applied.output()).contains(expected);
    var stored = kubectl.run("get", "serverfleet", name, "-n", ns);
    assertThat(stored.exitCode()).isNotZero();
    assertThat(stored.stderr()).contains("NotFound");
  }

  /** ServerFleetClass quotas: bounded, with the field named; the bounds themselves accepted. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "maxVcpusPerNamespace: -1 | spec.maxVcpusPerNamespace: Invalid value: -1: spec.maxVcpusPerNamespace in body should be greater than or equal to 0",
        "maxVcpusPerNamespace: 100000001 | spec.maxVcpusPerNamespace in body should be less than or equal to 100000000",
        "maxInstancesPerNamespace: -1 | spec.maxInstancesPerNamespace in body should be greater than or equal to 0",
        "maxVcpusPerNamespace: 0 | -",
        "maxVcpusPerNamespace: 100000000 | -",
      })
  void classQuotasAreBounded(String line, String expected) {
    String klass =
        "apiVersion: serverfleet.dev/v1alpha1\nkind: ServerFleetClass\n"
            + "metadata: {name: quota-check}\nspec:\n  "
            + line
            + "\n";
    var applied = kubectl.runWithInput(klass, "apply", "--dry-run=server", "-f", "-");
    if ("-".equals(expected)) {
      assertThat(applied.exitCode()).as(applied.output()).isZero();
    } else {
      assertThat(applied.exitCode()).as(applied.output()).isNotZero();
      assertThat(applied.output()).contains(expected);
    }
  }

  /** Every manifest in examples/ is what the API server accepts. */
  static java.util.stream.Stream<String> examples() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("examples"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void theExamplesAreAccepted(String file) throws java.io.IOException {
    String manifest = java.nio.file.Files.readString(java.nio.file.Path.of("examples", file));
    var namespace = java.util.regex.Pattern.compile("(?m)^  namespace: (\\S+)$").matcher(manifest);
    if (namespace.find()) {
      kubectl.run("create", "namespace", namespace.group(1)); // may exist already: ignored
    }
    var applied = kubectl.runWithInput(manifest, "apply", "--dry-run=server", "-f", "-");
    assertThat(applied.exitCode()).as("%s:%n%s", file, applied.output()).isZero();
    assertThat(applied.output()).contains("(server dry run)");
  }

  @Test
  void theValidBaseManifestIsAccepted() {
    var applied =
        kubectl.runWithInput(
            manifest("valid", ""), "apply", "--dry-run=server", "-n", ns, "-f", "-");
    assertThat(applied.exitCode()).as(applied.output()).isZero();
    var explained = kubectl.run("explain", "serverfleet.spec.template.amiId");
    assertThat(explained.stdout()).contains("ID of the Amazon Machine Image");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "validEdgeCases",
    "dev.serverfleet.operator.it.LaunchOptionManifests#valid",
    "dev.serverfleet.operator.it.LaunchTemplateManifests#valid"
  })
  void acceptedAtTheLimit(String label, String manifest) {
    var applied = kubectl.runWithInput(manifest, "apply", "--dry-run=server", "-n", ns, "-f", "-");
    assertThat(applied.exitCode())
        .as("kubectl apply of %s should succeed:%n%s", label, applied.output())
        .isZero();
  }

  private static Arguments bad(String name, String override, String expected) {
    return Arguments.of(name, name, manifest(name, override), expected);
  }

  /** The base manifest with instanceTypes set to {@code list} and no instanceType. */
  private static Arguments badTypes(String name, String list, String expected) {
    return Arguments.of(
        name, name, withoutSingleType(manifest(name, "instanceTypes: " + list)), expected);
  }

  private static String withoutSingleType(String manifest) {
    return manifest.replace("    instanceType: t3.micro\n", "");
  }

  /** A flow list of {@code count} distinct instance types. */
  private static String types(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "m" + (i + 1) + ".large")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** The base manifest without the template's {@code removed} field, with {@code added} instead. */
  private static Arguments swapped(String name, String removed, String added, String expected) {
    return Arguments.of(name, name, swap(name, removed, added), expected);
  }

  private static Arguments goodSwapped(String name, String removed, String added) {
    return Arguments.of(name, swap(name, removed, added));
  }

  private static String swap(String name, String removed, String added) {
    return manifest(name, removed + ": null")
        .replace("  template:\n", "  template:\n    " + added + "\n");
  }

  private static Arguments badName(String label, String name, String expected) {
    return Arguments.of(label, name, manifest(name, ""), expected);
  }

  private static Arguments good(String name, String override) {
    return Arguments.of(name, manifest(name, override));
  }

  private static Arguments goodName(String label, String name) {
    return Arguments.of(label, manifest(name, ""));
  }

  /** A flow map of {@code count} distinct tags. */
  private static String tags(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "t" + i + ": v")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /**
   * A valid ServerFleet with one line replaced: {@code override} is {@code key: value} for a key of
   * spec or spec.template ({@code key: null} removes it); further lines of {@code override} are
   * added to the same block.
   */
  static String manifest(String name, String override) {
    String spec =
        """
        replicas: 2
        deletionPolicy: Delete
        """;
    String template =
        """
        amiId: ami-0abcdef1234567890
        instanceType: t3.micro
        subnetIds: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
        securityGroupIds: [sg-0123456789abcdef0]
        tags: {team: shop}
        """;
    if (!override.isEmpty()) {
      String key = override.substring(0, override.indexOf(':'));
      boolean remove = override.endsWith(": null");
      boolean inSpec =
          java.util.Set.of(
                  "replicas",
                  "deletionPolicy",
                  "template",
                  "strategy",
                  "minReadySeconds",
                  "healthCheck",
                  "scaleDownPolicy",
                  "paused",
                  "progressDeadlineSeconds",
                  "revisionHistoryLimit",
                  "lifecycle",
                  "maintenance",
                  "capacityRebalance",
                  "loadBalancer")
              .contains(key);
      if (key.equals("template")) {
        template = null;
      } else if (inSpec) {
        spec = replace(spec, key, remove ? null : override);
      } else {
        template = replace(template, key, remove ? null : override);
      }
    }
    StringBuilder yaml =
        new StringBuilder(
            """
        apiVersion: serverfleet.dev/v1alpha1
        kind: ServerFleet
        metadata:
          name: %s
        spec:
        """
                .formatted(name));
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
