package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.testing.Kubectl;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart's ValidatingAdmissionPolicy on a real API server, as a tenant: a ServiceAccount token
 * that may create ServerFleets in namespace team-a only. A fleet that leaves its ServerFleetClass
 * is refused with a message naming the field and the class; a fleet within it is created.
 */
@EnableKubeAPIServer(kubeAPIVersion = HelmChartIT.K8S_VERSION)
class ClassAdmissionIT {
  static final String CLASSES =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata: {name: team-a}
      spec:
        namespaces: [team-a]
        instanceProfiles: [web]
        subnetIds: [subnet-0aaa1111, subnet-0bbb2222]
        securityGroupIds: [sg-0aaa1111]
        amiIds: [ami-0abcdef1234567890]
        instanceTypes: [t3.micro, t3.small]
        launchTemplates: [web-base, lt-0aaa1111bbbb2222c]
        maxInstancesPerNamespace: 10
        ssmParameters: [/serverfleet/team-a/ami]
        amiOwners: ["123456789012"]
        targetGroupArns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"]
      ---
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata: {name: team-b}
      spec: {namespaces: [team-b]}
      """;

  static final String TENANT_RBAC =
      """
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: tenant, namespace: team-a}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: fleet-author, namespace: team-a}
      rules:
      - apiGroups: [serverfleet.dev]
        resources: [serverfleets]
        verbs: [get, list, create, update, patch]
      - apiGroups: [serverfleet.dev]
        resources: [serverfleets/scale]
        verbs: [get, update, patch]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: tenant-fleet-author, namespace: team-a}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: fleet-author}
      subjects: [{kind: ServiceAccount, name: tenant, namespace: team-a}]
      """;

  @KubeConfig static String kubeconfigYaml;
  static Kubectl admin;
  static Kubectl tenant;

  @BeforeAll
  static void apiServerWithThePolicy() throws IOException {
    admin = Kubectl.forKubeconfig(kubeconfigYaml, HelmChartIT.K8S_VERSION);
    String crds =
        Files.readString(HelmChartIT.CRD) + "\n---\n" + Files.readString(HelmChartIT.CLASS_CRD);
    ok(admin.runWithInput(crds, "apply", "--server-side", "-f", "-"));
    ok(
        admin.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev",
            "crd/serverfleetclasses.serverfleet.dev"));
    String policy =
        Helm.template(
            "serverfleet-operator",
            "serverfleet-system",
            "--show-only",
            "templates/validatingadmissionpolicy.yaml");
    ok(admin.runWithInput(policy, "apply", "--server-side", "-f", "-"));
    ok(admin.run("create", "namespace", "team-a"));
    ok(admin.run("create", "namespace", "team-b"));
    ok(admin.runWithInput(CLASSES + "---\n" + TENANT_RBAC, "apply", "--server-side", "-f", "-"));
    tenant = tokenKubectl();
    // The API server compiles a new policy and watches its parameters in the background: wait
    // until it refuses a fleet out of its class.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> dryRun(fleet("probe", "team-a", "instanceType: m7g.large")).exitCode() != 0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "instance profile | iamInstanceProfile: admin | spec.template.iamInstanceProfile: admin is not allowed by ServerFleetClass team-a",
        "subnet | subnetIds: [subnet-0aaa1111, subnet-0ccc3333] | spec.template.subnetIds: subnet-0ccc3333 is not allowed by ServerFleetClass team-a",
        "security group | securityGroupIds: [sg-0bad0000] | spec.template.securityGroupIds: sg-0bad0000 is not allowed by ServerFleetClass team-a",
        "AMI | amiId: ami-0badbadbadbadbad0 | spec.template.amiId: ami-0badbadbadbadbad0 is not allowed by ServerFleetClass team-a",
        "instance type | instanceType: m7g.large | spec.template.instanceType: m7g.large is not allowed by ServerFleetClass team-a",
        "one fleet above the quota | replicas: 11 | spec.replicas: 11 exceeds maxInstancesPerNamespace 10 of ServerFleetClass team-a",
        "a class for another namespace | className: team-b | namespace team-a may not use ServerFleetClass team-b",
        "target group | 'loadBalancer: {targetGroupArns: [\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/fedcba9876543210\"]}' | spec.loadBalancer.targetGroupArns: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin/fedcba9876543210 is not allowed by ServerFleetClass team-a",
      })
  void refusedWithTheFieldAndTheClass(String what, String line, String message) {
    var refused = tenant.runWithInput(fleet("web", "team-a", line), "create", "-f", "-");
    assertThat(refused.exitCode()).as("%s: %s", what, refused.output()).isNotZero();
    assertThat(refused.stderr())
        .as(what)
        .contains(
            "serverfleets.serverfleet.dev \"web\" is forbidden: ValidatingAdmissionPolicy"
                + " 'serverfleet-operator-classes' with binding 'serverfleet-operator-classes'"
                + " denied request: "
                + message);
  }

  @Test
  void anInstanceTypesListWithATypeTheClassDoesNotListIsRefused() {
    String manifest =
        fleet("web-list", "team-a", null)
            .replace("    instanceType: t3.micro\n", "    instanceTypes: [t3.micro, m7g.large]\n");
    var refused = tenant.runWithInput(manifest, "create", "-f", "-");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.stderr())
        .contains(
            "denied request: spec.template.instanceTypes: m7g.large is not allowed by"
                + " ServerFleetClass team-a");
  }

  /**
   * Selectors: where an amiSelector looks (SSM parameter, owners) is checked at admission; what it
   * and a subnet selector resolve to is left to the operator.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "SSM parameter not listed | amiId | amiSelector: {ssmParameter: /aws/service/x} | spec.template.amiSelector.ssmParameter: /aws/service/x is not allowed by ServerFleetClass team-a",
        "name without owners | amiId | amiSelector: {name: web-*} | spec.template.amiSelector.owners: ServerFleetClass team-a allows only images of the owners in its amiOwners; name them in owners",
        "owner not listed | amiId | 'amiSelector: {name: web-*, owners: [\"123456789012\", amazon]}' | spec.template.amiSelector.owners: amazon is not allowed by ServerFleetClass team-a",
        "SSM parameter listed | amiId | amiSelector: {ssmParameter: /serverfleet/team-a/ami} | ",
        "owners listed | amiId | 'amiSelector: {tags: {release: stable}, owners: [\"123456789012\"]}' | ",
        "subnets by tags | subnetIds | subnetSelector: {tags: {tier: web}} | ",
      })
  void selectorsAtAdmission(String what, String removed, String added, String message) {
    String manifest =
        fleet("sel", "team-a", null).replaceAll("(?m)^    " + removed + ":.*$", "    " + added);
    var result = tenant.runWithInput(manifest, "create", "--dry-run=server", "-f", "-");
    if (message == null) {
      assertThat(result.exitCode()).as("%s: %s", what, result.output()).isZero();
      return;
    }
    assertThat(result.exitCode()).as("%s: %s", what, result.output()).isNotZero();
    assertThat(result.stderr()).as(what).contains("denied request: " + message);
  }

  @Test
  void aLaunchTemplateTheClassDoesNotListIsRefused() {
    String manifest =
        fleet("lt-refused", "team-a", null) + "    launchTemplate: {name: other-lt}\n";
    var refused = tenant.runWithInput(manifest, "create", "-f", "-");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.stderr())
        .contains(
            "denied request: spec.template.launchTemplate: other-lt is not allowed by"
                + " ServerFleetClass team-a");
  }

  @Test
  void aFleetFromAListedLaunchTemplateWithoutImageOrTypeIsAdmitted() {
    // the class's amiIds and instanceTypes cannot see what the template sets: the operator checks
    // the resolved version on every reconcile (ClassPolicy)
    String manifest =
        fleet("lt-allowed", "team-a", null)
                .replace("    amiId: ami-0abcdef1234567890\n", "")
                .replace("    instanceType: t3.micro\n", "")
            + "    launchTemplate: {id: lt-0aaa1111bbbb2222c, version: $Latest}\n";
    var admitted = dryRun(manifest);
    assertThat(admitted.exitCode()).as(admitted.output()).isZero();
  }

  @Test
  void aTargetGroupTheClassListsIsAdmitted() {
    ok(
        dryRun(
            fleet(
                "lb",
                "team-a",
                "loadBalancer: {targetGroupArns:"
                    + " [\"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef\"]}")));
  }

  @Test
  void aFleetWithinItsClassIsCreated() {
    var created = tenant.runWithInput(fleet("web", "team-a", null), "create", "-f", "-");
    assertThat(created.exitCode()).as(created.output()).isZero();
    assertThat(created.stdout()).contains("serverfleet.serverfleet.dev/web created");
  }

  /** A scale-up by editing the fleet is an update of its spec: refused as a create would be. */
  @Test
  void anEditBeyondTheQuotaIsRefused() {
    ok(tenant.runWithInput(fleet("edited", "team-a", null), "create", "-f", "-"));
    var refused =
        tenant.run("patch", "sf/edited", "--type=merge", "-p", "{\"spec\":{\"replicas\":11}}");
    assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    assertThat(refused.stderr())
        .contains(
            "denied request: spec.replicas: 11 exceeds maxInstancesPerNamespace 10 of"
                + " ServerFleetClass team-a");
  }

  /**
   * {@code kubectl scale} and autoscalers write the scale subresource, whose object (an
   * autoscaling/v1 Scale) names no class: the policy does not match it, and the operator holds a
   * scale beyond the quota instead (ClassPolicyIT). This proves the README's word on it.
   */
  @Test
  void theScaleSubresourceIsLeftToTheOperator() {
    ok(tenant.runWithInput(fleet("scaled", "team-a", null), "create", "-f", "-"));
    var scaled = tenant.run("scale", "sf/scaled", "--replicas=11");
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    assertThat(
            admin
                .run("get", "sf/scaled", "-n", "team-a", "-o", "jsonpath={.spec.replicas}")
                .stdout())
        .isEqualTo("11");
  }

  /**
   * Two classes marked default: a fleet that names no class must keep to both, as the operator
   * holds it to both (ClassPolicyLoopTest); the message names the class that refuses.
   */
  @Test
  void everyDefaultClassAppliesToAFleetThatNamesNone() {
    ok(admin.runWithInput(DEFAULTS, "apply", "--server-side", "-f", "-"));
    try {
      String byNewer = withoutClass(fleet("plain", "team-a", "instanceType: t3.small"));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> dryRun(byNewer).exitCode() != 0);
      assertThat(dryRun(byNewer).stderr())
          .contains(
              "denied request: spec.template.instanceType: t3.small is not allowed by"
                  + " ServerFleetClass default-new");

      String byOlder = withoutClass(fleet("plain", "team-a", "securityGroupIds: [sg-0bad0000]"));
      assertThat(dryRun(byOlder).stderr())
          .contains(
              "denied request: spec.template.securityGroupIds: sg-0bad0000 is not allowed by"
                  + " ServerFleetClass default-old");

      var created =
          tenant.runWithInput(withoutClass(fleet("plain", "team-a", null)), "create", "-f", "-");
      assertThat(created.exitCode()).as(created.output()).isZero();
    } finally {
      ok(admin.run("delete", "serverfleetclass", "default-old", "default-new"));
    }
  }

  static final String DEFAULTS =
      """
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: default-old
        annotations: {serverfleet.dev/is-default-class: "true"}
      spec: {securityGroupIds: [sg-0aaa1111], instanceTypes: [t3.micro, t3.small]}
      ---
      apiVersion: serverfleet.dev/v1alpha1
      kind: ServerFleetClass
      metadata:
        name: default-new
        annotations: {serverfleet.dev/is-default-class: "true"}
      spec: {instanceTypes: [t3.micro]}
      """;

  private static String withoutClass(String manifest) {
    String without = manifest.replace("  className: team-a\n", "");
    assertThat(without).doesNotContain("className");
    return without;
  }

  @Test
  void theTenantMayNotCreateFleetsElsewhere() {
    var denied = tenant.runWithInput(fleet("web", "team-b", null), "create", "-f", "-");
    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.stderr()).contains("forbidden", "cannot create resource \"serverfleets\"");
  }

  /** A fleet of class team-a within it; {@code line} replaces one key of spec or spec.template. */
  static String fleet(String name, String namespace, String line) {
    String spec = "replicas: 2\nclassName: team-a\n";
    String template =
        """
        amiId: ami-0abcdef1234567890
        instanceType: t3.micro
        subnetIds: [subnet-0aaa1111, subnet-0bbb2222]
        securityGroupIds: [sg-0aaa1111]
        iamInstanceProfile: web
        """;
    if (line != null) {
      String key = line.substring(0, line.indexOf(':'));
      if (key.equals("loadBalancer")) {
        spec = spec + line + "\n";
      } else if (spec.contains(key + ":")) {
        spec = spec.replaceAll("(?m)^" + key + ":.*$", line);
      } else {
        template = template.replaceAll("(?m)^" + key + ":.*$", line);
      }
    }
    return "apiVersion: serverfleet.dev/v1alpha1\nkind: ServerFleet\n"
        + "metadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec:\n"
        + spec.indent(2)
        + "  template:\n"
        + template.indent(4);
  }

  private static Kubectl.Result dryRun(String manifest) {
    return tenant.runWithInput(manifest, "create", "--dry-run=server", "-f", "-");
  }

  private static void ok(Kubectl.Result result) {
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  /** kubectl holding only a token minted for the tenant ServiceAccount (no client certificate). */
  private static Kubectl tokenKubectl() throws IOException {
    var minted = admin.run("create", "token", "tenant", "-n", "team-a", "--duration=1h");
    ok(minted);
    Config config = Config.fromKubeconfig(kubeconfigYaml);
    String ca =
        config.getCaCertData() != null
            ? config.getCaCertData()
            : Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", certificate-authority-data: %s}
        users:
        - name: tenant
          user: {token: %s}
        contexts:
        - name: tenant
          context: {cluster: test, user: tenant, namespace: team-a}
        current-context: tenant
        """
            .formatted(config.getMasterUrl(), ca, minted.stdout().trim());
    return Kubectl.forKubeconfig(yaml, HelmChartIT.K8S_VERSION);
  }
}
