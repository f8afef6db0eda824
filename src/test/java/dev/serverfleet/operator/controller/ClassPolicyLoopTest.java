package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.cloud.FakeInstanceTypes;
import dev.serverfleet.operator.cloud.InstanceTypeInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A class that changes after admission: the fleet out of policy launches nothing new, keeps its
 * instances, may still scale in, and says why; fixing the class lets it go on.
 */
class ClassPolicyLoopTest {
  static ServerFleetClass gold(String allowedAmi) {
    return Serialization.unmarshal(
        """
        apiVersion: serverfleet.dev/v1alpha1
        kind: ServerFleetClass
        metadata: {name: gold}
        spec: {namespaces: [shop], amiIds: [%s]}
        """
            .formatted(allowedAmi),
        ServerFleetClass.class);
  }

  @Test
  void aFleetOutOfPolicyHoldsLaunchesKeepsItsInstancesAndIsDegraded() {
    LoopHarness h = new LoopHarness(2);
    AtomicReference<ServerFleetClass> klass = new AtomicReference<>(gold(LoopHarness.AMI));
    h.useClasses(
        new FleetClasses() {
          @Override
          public Collection<ServerFleetClass> classes() {
            return List.of(klass.get());
          }

          @Override
          public Collection<ServerFleet> fleetsIn(String namespace) {
            return List.of(h.fleet());
          }
        });
    h.editSpec(s -> s.setClassName("gold"));

    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(2);
    assertThat(h.status().getClassName()).isEqualTo("gold");
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");

    klass.set(gold("ami-0123456789abcdef0"));
    h.scale(4);
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances()).as("nothing new, nothing taken away").hasSize(2);
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ClassPolicy"))
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .isEqualTo(
                        "spec.template.amiId: "
                            + LoopHarness.AMI
                            + " is not allowed by ServerFleetClass gold"));

    h.scale(1);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).as("scale-in stays allowed").hasSize(1);

    klass.set(gold(LoopHarness.AMI));
    h.scale(3);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  static ServerFleetClass defaultClass(String name, String created, String allowedAmi) {
    return Serialization.unmarshal(
        """
        apiVersion: serverfleet.dev/v1alpha1
        kind: ServerFleetClass
        metadata:
          name: %s
          creationTimestamp: "%s"
          annotations: {serverfleet.dev/is-default-class: "true"}
        spec: {amiIds: [%s]}
        """
            .formatted(name, created, allowedAmi),
        ServerFleetClass.class);
  }

  /**
   * Two default classes, as while a platform team moves the default: both apply to a fleet that
   * names none, as at admission, so the newer one's refusal holds the fleet although the older one
   * allows it; unmarking the older one changes nothing, unmarking the newer one lets it go on.
   */
  @Test
  void everyDefaultClassAppliesToAFleetThatNamesNone() {
    LoopHarness h = new LoopHarness(2);
    ServerFleetClass old = defaultClass("old", "2026-01-01T00:00:00Z", LoopHarness.AMI);
    AtomicReference<List<ServerFleetClass>> classes = new AtomicReference<>(List.of(old));
    h.useClasses(classes(classes::get, () -> List.of(h.fleet())));
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(2);
    assertThat(h.status().getClassName()).isEqualTo("old");

    classes.set(List.of(old, defaultClass("new", "2026-02-01T00:00:00Z", "ami-0123456789abcdef0")));
    h.scale(3);
    h.runUntilStable(40, STEP);

    assertThat(h.liveInstances()).as("held by the newer default").hasSize(2);
    assertThat(h.status().getClassName()).isEqualTo("new,old");
    assertThat(h.condition(Conditions.DEGRADED).getMessage())
        .isEqualTo(
            "spec.template.amiId: " + LoopHarness.AMI + " is not allowed by ServerFleetClass new");

    classes.set(List.of(old));
    h.classChanged();
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.status().getClassName()).isEqualTo("old");
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  /**
   * maxVcpusPerNamespace with sizes from the fake port: a scale-up past it launches nothing and
   * says the sums; an instance type EC2 does not know holds too; scaling down to fit goes on.
   */
  @Test
  void aVcpuQuotaHoldsAScaleUpWhole() {
    LoopHarness h = new LoopHarness(2);
    ServerFleetClass cpu =
        Serialization.unmarshal(
            """
            apiVersion: serverfleet.dev/v1alpha1
            kind: ServerFleetClass
            metadata: {name: cpu}
            spec: {maxVcpusPerNamespace: 10}
            """,
            ServerFleetClass.class);
    ServerFleet neighbour = ClassQuotaTest.sized("db", "uid-db", "shop", "cpu", "c5.xlarge", 1);
    FakeInstanceTypes sizes = new FakeInstanceTypes();
    h.useInstanceTypes(sizes);
    h.useClasses(classes(() -> List.of(cpu), () -> List.of(h.fleet(), neighbour)));
    h.editSpec(s -> s.setClassName("cpu"));
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).as("2 × 2 + 4 = 8 vCPUs").hasSize(2);

    h.scale(4);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).as("not partly: 3 would fit, none is launched").hasSize(2);
    assertThat(h.condition(Conditions.DEGRADED))
        .satisfies(c -> assertThat(c.getReason()).isEqualTo("ClassPolicy"))
        .satisfies(
            c ->
                assertThat(c.getMessage())
                    .isEqualTo(
                        "spec.replicas: 12 vCPUs in namespace shop (8 of this fleet: 4 × t3.micro"
                            + " of 2 vCPUs; 4 of its other fleets) exceed maxVcpusPerNamespace 10"
                            + " of ServerFleetClass cpu"));

    h.scale(3);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).as("10 vCPUs: at the quota").hasSize(3);
    assertThat(h.condition(Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(sizes.calls())
        .as("this fleet's type and its neighbour's")
        .allSatisfy(types -> assertThat(types).containsExactlyInAnyOrder("c5.xlarge", "t3.micro"));

    h.useInstanceTypes(InstanceTypeInfo.NONE);
    h.scale(4);
    h.runUntilStable(40, STEP);
    assertThat(h.liveInstances()).hasSize(3);
    assertThat(h.condition(Conditions.DEGRADED).getMessage())
        .isEqualTo(
            "maxVcpusPerNamespace of ServerFleetClass cpu cannot be checked: EC2 does not know"
                + " instance type c5.xlarge of fleet db");
  }

  private static FleetClasses classes(
      Supplier<List<ServerFleetClass>> classes, Supplier<List<ServerFleet>> fleets) {
    return new FleetClasses() {
      @Override
      public Collection<ServerFleetClass> classes() {
        return classes.get();
      }

      @Override
      public Collection<ServerFleet> fleetsIn(String namespace) {
        return fleets.get();
      }
    };
  }
}
