package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An admin tightens a ServerFleetClass after its fleet was admitted, on the real API server and
 * moto: the running fleet launches nothing new, keeps every instance and says why; loosening the
 * class lets it go on.
 */
class ClassPolicyIT extends OperatorTestBed {

  @Test
  void aTightenedClassHoldsTheFleetWithoutTerminatingAnything() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    String name = "gold-" + UUID.randomUUID().toString().substring(0, 8);
    ServerFleetClass klass = new ServerFleetClass();
    klass.setMetadata(new ObjectMetaBuilder().withName(name).build());
    ServerFleetClassSpec spec = new ServerFleetClassSpec();
    spec.setNamespaces(List.of(ns));
    spec.setAmiIds(List.of(AMI));
    klass.setSpec(spec);
    client.resource(klass).create();
    ServerFleet wanted = fleet(ns, "web", 2, network);
    wanted.getSpec().setClassName(name);
    ServerFleet fleet = awaitReady(create(wanted), 2);
    assertThat(fleet.getStatus().getClassName()).isEqualTo(name);

    client
        .resources(ServerFleetClass.class)
        .withName(name)
        .edit(
            k -> {
              k.getSpec().setAmiIds(List.of(AMI_V2));
              return k;
            });
    var scaled = kubectl.run("scale", "sf/web", "-n", ns, "--replicas=3");
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degraded(get(ns, "web")).startsWith("True/ClassPolicy"));
    assertThat(degraded(get(ns, "web")))
        .contains("spec.template.amiId: " + AMI + " is not allowed by ServerFleetClass " + name);
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(8))
        .until(() -> liveInstances(fleet).size() == 2);

    client
        .resources(ServerFleetClass.class)
        .withName(name)
        .edit(
            k -> {
              k.getSpec().setAmiIds(List.of(AMI, AMI_V2));
              return k;
            });
    ServerFleet after = awaitReady(fleet, 3);
    assertThat(degraded(after)).startsWith("False");
    client.resources(ServerFleetClass.class).withName(name).delete();
  }

  /**
   * maxVcpusPerNamespace with sizes from moto's DescribeInstanceTypes (t3.micro: 2, c5.xlarge: 4):
   * a scale-up past it launches nothing and says the sums; the neighbour scaling down frees the
   * quota, which wakes the held fleet at once (no 2-minute recheck to wait for); an instance type
   * EC2 does not know holds the fleet too.
   */
  @Test
  void aVcpuQuotaHoldsAScaleUpUntilANeighbourFreesIt() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    String name = "cpu-" + UUID.randomUUID().toString().substring(0, 8);
    ServerFleetClass klass = new ServerFleetClass();
    klass.setMetadata(new ObjectMetaBuilder().withName(name).build());
    ServerFleetClassSpec spec = new ServerFleetClassSpec();
    spec.setNamespaces(List.of(ns));
    spec.setMaxVcpusPerNamespace(8);
    klass.setSpec(spec);
    client.resource(klass).create();
    ServerFleet big = fleet(ns, "big", 1, network);
    big.getSpec().setClassName(name);
    big.getSpec().getTemplate().setInstanceType("c5.xlarge");
    awaitReady(create(big), 1);
    ServerFleet web = fleet(ns, "web", 2, network);
    web.getSpec().setClassName(name);
    ServerFleet webCreated = awaitReady(create(web), 2);

    var scaled = kubectl.run("scale", "sf/web", "-n", ns, "--replicas=3");
    assertThat(scaled.exitCode()).as(scaled.output()).isZero();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degraded(get(ns, "web")).startsWith("True/ClassPolicy"));
    assertThat(degraded(get(ns, "web")))
        .isEqualTo(
            "True/ClassPolicy: spec.replicas: 10 vCPUs in namespace "
                + ns
                + " (6 of this fleet: 3 × t3.micro of 2 vCPUs; 4 of its other fleets) exceed"
                + " maxVcpusPerNamespace 8 of ServerFleetClass "
                + name);
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(8))
        .until(() -> liveInstances(webCreated).size() == 2);

    var freed = kubectl.run("scale", "sf/big", "-n", ns, "--replicas=0");
    assertThat(freed.exitCode()).as(freed.output()).isZero();
    ServerFleet after = awaitReady(webCreated, 3);
    assertThat(degraded(after)).startsWith("False");

    var unknown =
        kubectl.run(
            "patch",
            "sf/big",
            "-n",
            ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"replicas\":1,\"template\":{\"instanceType\":\"x9.huge\"}}}");
    assertThat(unknown.exitCode()).as(unknown.output()).isZero();
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> degraded(get(ns, "big")).startsWith("True/ClassPolicy"));
    assertThat(degraded(get(ns, "big")))
        .isEqualTo(
            "True/ClassPolicy: maxVcpusPerNamespace of ServerFleetClass "
                + name
                + " cannot be checked: EC2 does not know instance type x9.huge of this fleet");
    client.resources(ServerFleetClass.class).withName(name).delete();
  }

  private static String degraded(ServerFleet fleet) {
    if (fleet == null || fleet.getStatus() == null) {
      return "";
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse("");
  }
}
