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
