package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A request EC2 refuses becomes a condition and an event, not a crash loop or a stray instance. */
class FleetFailureIT extends OperatorTestBed {

  @Test
  void unknownAmiReportsDegradedWithEc2sMessageAndLaunchesNothingThenRecoversWhenFixed() {
    MotoServer.Network network = moto.createNetwork(2);
    String ns = newNamespace();
    ServerFleet spec = fleet(ns, "badami", 2, network);
    spec.getSpec().getTemplate().setAmiId(UNKNOWN_AMI);
    ServerFleet fleet = create(spec);

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                degraded(get(ns, "badami")).filter(c -> "True".equals(c.getStatus())).isPresent());
    ServerFleet failed = get(ns, "badami");
    Condition degraded = degraded(failed).orElseThrow();
    assertThat(degraded.getReason()).isEqualTo("LaunchFailed");
    assertThat(degraded.getMessage()).contains("InvalidAMIID").contains(UNKNOWN_AMI);
    assertThat(degraded.getObservedGeneration()).isEqualTo(failed.getMetadata().getGeneration());
    assertThat(failed.getStatus().getLaunchIntents())
        .as("a refused launch leaves no intent")
        .isEmpty();
    assertThat(liveInstances(failed)).isEmpty();
    var events = client.v1().events().inNamespace(ns).list().getItems();
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("LaunchFailed");
              assertThat(e.getMessage()).contains(UNKNOWN_AMI);
            });
    long warnings = events.stream().filter(e -> "LaunchFailed".equals(e.getReason())).count();
    assertThat(warnings)
        .as("no hot loop: a refused launch is not retried every poll")
        .isLessThanOrEqualTo(2);

    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("badami")
        .edit(
            f -> {
              f.getSpec().getTemplate().setAmiId(AMI);
              return f;
            });

    ServerFleet fixed = awaitReady(fleet, 2);
    assertThat(degraded(fixed).orElseThrow().getStatus()).isEqualTo("False");
  }

  private static Optional<Condition> degraded(ServerFleet fleet) {
    if (fleet == null || fleet.getStatus() == null) {
      return Optional.empty();
    }
    return fleet.getStatus().getConditions().stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .findFirst();
  }
}
