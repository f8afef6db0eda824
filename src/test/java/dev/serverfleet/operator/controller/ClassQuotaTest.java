package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.ClassPolicyTest.fleet;
import static dev.serverfleet.operator.controller.ClassPolicyTest.klass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.ErrorClass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quota arithmetic of {@link ClassQuota} through {@link ClassPolicy#check}: which fleets count,
 * and the sums at and past the limits. Fleet "web" in team-a asks; its neighbours are written as
 * {@code name/namespace/class/type/replicas[/deleted]}, class "-" meaning none (the default).
 */
class ClassQuotaTest {
  static final String CPU =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: cpu
        creationTimestamp: "2026-01-01T00:00:00Z"
        annotations: {serverfleet.dev/is-default-class: "%s"}
      spec: {maxInstancesPerNamespace: 6, maxVcpusPerNamespace: 8}
      """;

  static final String OTHER =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata: {name: other}
      spec: {}
      """;

  /** What EC2 says; x9.huge is unknown. */
  static final Map<String, Integer> SIZES = Map.of("t3.micro", 2, "t2.micro", 1, "c5.xlarge", 4);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "vCPUs at the limit: 2×2 + 1×4 = 8      | 2 | t3.micro | api/team-a/cpu/c5.xlarge/1 | -",
        "vCPUs one over: 2×2 + 1×4 + 1×1 = 9    | 2 | t3.micro | api/team-a/cpu/c5.xlarge/1;db/team-a/cpu/t2.micro/1 | spec.replicas: 9 vCPUs in namespace team-a (4 of this fleet: 2 × t3.micro of 2 vCPUs; 5 of its other fleets) exceed maxVcpusPerNamespace 8 of ServerFleetClass cpu",
        "vCPUs of this fleet alone over         | 3 | c5.xlarge | -                        | spec.replicas: 12 vCPUs in namespace team-a (12 of this fleet: 3 × c5.xlarge of 4 vCPUs; 0 of its other fleets) exceed maxVcpusPerNamespace 8 of ServerFleetClass cpu",
        "other classes' fleets not counted      | 4 | t3.micro | api/team-a/other/c5.xlarge/9 | -",
        "other namespaces not counted           | 4 | t3.micro | api/team-b/cpu/c5.xlarge/9 | -",
        "deleted fleets not counted             | 4 | t3.micro | api/team-a/cpu/c5.xlarge/9/deleted | -",
        "a fleet of the default class counts    | 2 | t3.micro | api/team-a/-/t3.micro/3 | spec.replicas: 10 vCPUs in namespace team-a (4 of this fleet: 2 × t3.micro of 2 vCPUs; 6 of its other fleets) exceed maxVcpusPerNamespace 8 of ServerFleetClass cpu",
        "instances at the limit: 4 + 2 = 6      | 4 | t2.micro | api/team-a/cpu/t2.micro/2 | -",
        "instances one over: 4 + 3 = 7          | 4 | t2.micro | api/team-a/cpu/t2.micro/3 | spec.replicas: 7 instances in namespace team-a (4 of this fleet, 3 of its other fleets) exceed maxInstancesPerNamespace 6 of ServerFleetClass cpu",
        "unknown type of this fleet             | 1 | x9.huge  | -                         | maxVcpusPerNamespace of ServerFleetClass cpu cannot be checked: EC2 does not know instance type x9.huge of this fleet",
        "unknown type of another fleet          | 1 | t3.micro | api/team-a/cpu/x9.huge/1  | maxVcpusPerNamespace of ServerFleetClass cpu cannot be checked: EC2 does not know instance type x9.huge of fleet api",
        "unknown type of a fleet not counted    | 1 | t3.micro | api/team-b/cpu/x9.huge/1  | -",
        "zero replicas count nothing            | 0 | t3.micro | api/team-a/cpu/c5.xlarge/2 | -",
      })
  void quota(String label, int replicas, String type, String neighbours, String expected) {
    ServerFleet web = sized("web", "uid-web", "team-a", "cpu", type, replicas);
    List<ServerFleet> all = new ArrayList<>(List.of(web));
    all.addAll(neighbours(neighbours));
    // The default-class case: "cpu" is default there, and "web" names it.
    boolean defaultCase = neighbours != null && neighbours.contains("/-/");
    List<ServerFleetClass> classes =
        List.of(klass(CPU.formatted(defaultCase ? "true" : "false")), klass(OTHER));

    ClassPolicy.Verdict verdict = ClassPolicy.check(web, classes, all, this::sizes);

    assertThat(verdict.className()).isEqualTo("cpu");
    assertThat(verdict.refusal()).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void aFailedLookupHoldsWithEc2sAnswer() {
    ServerFleet web = sized("web", "uid-web", "team-a", "cpu", "t3.micro", 1);
    ClassQuota.Vcpus throttled =
        types -> {
          throw new CloudException(
              "DescribeInstanceTypes", ErrorClass.THROTTLED, "RequestLimitExceeded", "Slow down");
        };

    ClassPolicy.Verdict verdict =
        ClassPolicy.check(web, List.of(klass(CPU.formatted("false"))), List.of(web), throttled);

    assertThat(verdict.refusal())
        .contains(
            "maxVcpusPerNamespace of ServerFleetClass cpu cannot be checked: DescribeInstanceTypes"
                + " failed (RequestLimitExceeded): Slow down");
  }

  @Test
  void noVcpuQuotaAsksEc2Nothing() {
    ServerFleet web = sized("web", "uid-web", "team-a", "other", "x9.huge", 100);
    ClassQuota.Vcpus mustNotBeAsked =
        types -> {
          throw new AssertionError("asked for " + types);
        };

    ClassPolicy.Verdict verdict =
        ClassPolicy.check(web, List.of(klass(OTHER)), List.of(web), mustNotBeAsked);

    assertThat(verdict.refusal()).isEmpty();
  }

  private Map<String, Integer> sizes(java.util.Collection<String> types) {
    Map<String, Integer> answer = new java.util.HashMap<>();
    types.stream().filter(SIZES::containsKey).forEach(t -> answer.put(t, SIZES.get(t)));
    return answer;
  }

  private static List<ServerFleet> neighbours(String spec) {
    if (spec == null) {
      return List.of();
    }
    return Arrays.stream(spec.split(";"))
        .map(
            n -> {
              String[] p = n.trim().split("/");
              ServerFleet f =
                  sized(
                      p[0],
                      "uid-" + p[0],
                      p[1],
                      "-".equals(p[2]) ? null : p[2],
                      p[3],
                      Integer.parseInt(p[4]));
              if (p.length > 5) {
                f.getMetadata().setDeletionTimestamp("2026-01-03T00:00:00Z");
              }
              return f;
            })
        .toList();
  }

  static ServerFleet sized(
      String name, String uid, String ns, String className, String type, int replicas) {
    ServerFleet f = fleet(name, uid, ns, className, "instanceType: " + type);
    f.getSpec().setReplicas(replicas);
    return f;
  }
}
