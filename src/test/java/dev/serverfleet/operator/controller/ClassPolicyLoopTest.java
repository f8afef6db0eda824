package dev.serverfleet.operator.controller;

import static dev.serverfleet.operator.controller.LoopScenarios.STEP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
}
