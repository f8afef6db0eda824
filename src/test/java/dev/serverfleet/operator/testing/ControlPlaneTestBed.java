package dev.serverfleet.operator.testing;

import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.DeletionPolicy;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetSpec;
import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test bed without an operator: a real kube-apiserver and etcd (fabric8 kube-api-test, binaries
 * built by scripts/control-plane), a real moto EC2 endpoint over HTTP, the real kubectl and the CRD
 * from crds/. Each test class gets its own API server and its own operator cluster name, so classes
 * never see each other's instances. End-to-end tests start the operator jar as a process on it;
 * {@link OperatorTestBed} adds the operator in-process.
 */
@EnableKubeAPIServer(kubeAPIVersion = ControlPlaneTestBed.K8S_VERSION)
public abstract class ControlPlaneTestBed {
  public static final String K8S_VERSION = "1.34.4";
  public static final String AMI = "ami-0abcdef1234567890";
  public static final String AMI_V2 = "ami-0fedcba9876543210";
  public static final String UNKNOWN_AMI = "ami-0123456789abcdef0";
  public static final Path CRD = Path.of("crds", "serverfleets.serverfleet.dev-v1.yml");

  /** The cluster-scoped policy a fleet names in spec.className. */
  public static final Path CLASS_CRD = Path.of("crds", "serverfleetclasses.serverfleet.dev-v1.yml");

  /** Short retry and poll times so that recovery paths run within a test's patience. */
  public static final PlanInput.Timing TIMING =
      new PlanInput.Timing(Duration.ofSeconds(4), Duration.ofMinutes(2));

  private static final Logger log = LoggerFactory.getLogger(ControlPlaneTestBed.class);

  protected static KubernetesClient client;
  @KubeConfig protected static String kubeconfigYaml;
  protected static MotoServer moto;
  protected static Kubectl kubectl;
  protected static Ec2Port ec2;
  protected static String cluster;

  @BeforeAll
  static void startTestBed() throws IOException {
    moto = MotoServer.shared();
    ec2 = new AwsEc2(moto.ec2Client());
    kubectl = Kubectl.forKubeconfig(kubeconfigYaml, K8S_VERSION);
    log.info(
        "test bed: kube-apiserver {} (real, from {}), EC2 = moto at {}",
        client.getKubernetesVersion().getGitVersion(),
        Kubectl.class.getSimpleName(),
        moto.endpoint());
    installCrd();
    cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  protected static void installCrd() throws IOException {
    var applied =
        kubectl.runWithInput(
            Files.readString(CRD) + "\n---\n" + Files.readString(CLASS_CRD),
            "apply",
            "--server-side",
            "-f",
            "-");
    if (applied.exitCode() != 0) {
      throw new IllegalStateException("CRD not accepted by the API server: " + applied.output());
    }
    var established =
        kubectl.run(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/serverfleets.serverfleet.dev",
            "crd/serverfleetclasses.serverfleet.dev");
    if (established.exitCode() != 0) {
      throw new IllegalStateException("CRD not established: " + established.output());
    }
  }

  protected static String newNamespace() {
    String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  protected static ServerFleet fleet(
      String namespace, String name, int replicas, MotoServer.Network network) {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId(AMI);
    template.setInstanceType("t3.micro");
    template.setSubnetIds(network.subnetIds());
    template.setSecurityGroupIds(List.of(network.securityGroupId()));
    template.setUserData("#!/bin/bash\necho hello\n");
    template.setTags(Map.of("team", "shop"));
    ServerFleetSpec spec = new ServerFleetSpec();
    spec.setReplicas(replicas);
    spec.setTemplate(template);
    spec.setDeletionPolicy(DeletionPolicy.Delete);
    ServerFleet fleet = new ServerFleet();
    fleet.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    fleet.setSpec(spec);
    return fleet;
  }

  protected static ServerFleet create(ServerFleet fleet) {
    return client.resource(fleet).create();
  }

  protected static ServerFleet get(String namespace, String name) {
    return client.resources(ServerFleet.class).inNamespace(namespace).withName(name).get();
  }

  /** Instances of the fleet that are pending or running, as moto reports them now. */
  protected static List<Instance> liveInstances(ServerFleet fleet) {
    String uid =
        get(fleet.getMetadata().getNamespace(), fleet.getMetadata().getName())
            .getMetadata()
            .getUid();
    return liveInstances(uid);
  }

  protected static List<Instance> liveInstances(String fleetUid) {
    return ec2.describeOwned(cluster).stream()
        .filter(i -> i.ownedBy(cluster, fleetUid) && i.state().isLive())
        .toList();
  }

  /** Waits until status says {@code n} ready of {@code n} desired and EC2 agrees. */
  protected static ServerFleet awaitReady(ServerFleet fleet, int n) {
    String ns = fleet.getMetadata().getNamespace();
    String name = fleet.getMetadata().getName();
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              ServerFleet f = get(ns, name);
              return f.getStatus() != null
                  && Integer.valueOf(n).equals(f.getStatus().getReadyReplicas())
                  && Integer.valueOf(n).equals(f.getStatus().getReplicas())
                  && f.getStatus().getLaunchIntents().isEmpty()
                  && f.getStatus().getConditions().stream()
                      .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                  && liveInstances(f.getMetadata().getUid()).size() == n;
            });
    return get(ns, name);
  }
}
