package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.UnavailableOffering;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ordered instance types on the real stack: the real API server, the operator in process as the jar
 * wires it (zones and offered types learned through DescribeSubnets and
 * DescribeInstanceTypeOfferings), moto behind the fault proxy answering RunInstances with EC2's
 * InsufficientInstanceCapacity for one type in one zone (moto itself never runs out of capacity).
 */
class OfferingFallbackIT extends ProxiedOperatorTestBed {

  @BeforeAll
  static void learnOfferings() {
    stopOperator();
    startOperator(Duration.ofSeconds(1), false, true);
  }

  @AfterEach
  void clearFaults() {
    proxy.clearFaults();
  }

  private static ServerFleet fleetOf(
      String ns,
      String name,
      List<String> types,
      List<String> subnets,
      MotoServer.Network network) {
    ServerFleet fleet = fleet(ns, name, 0, network);
    fleet.getSpec().getTemplate().setInstanceType(null);
    fleet.getSpec().getTemplate().setInstanceTypes(types);
    fleet.getSpec().getTemplate().setSubnetIds(subnets);
    return fleet;
  }

  private static Map<String, Map<String, Long>> typesBySubnet(String uid) {
    return liveInstances(uid).stream()
        .collect(
            Collectors.groupingBy(
                Instance::subnetId,
                Collectors.groupingBy(Instance::instanceType, Collectors.counting())));
  }

  private static double fallbacks(ServerFleet fleet) {
    Counter c =
        registry
            .find("serverfleet.launch.fallbacks")
            .tag("name", fleet.getMetadata().getName())
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void twelveInstancesOverThreeZonesWithThePreferredTypeOutInOneEndBalancedOnTheNextType() {
    MotoServer.Network network = moto.createNetwork(3);
    String ns = newNamespace();
    String zoneA = network.zones().get(0);
    String subnetA = network.subnetIds().get(0);
    ServerFleet fleet =
        awaitReady(
            create(
                fleetOf(ns, "web", List.of("t3.micro", "t3.small"), network.subnetIds(), network)),
            0);
    String uid = fleet.getMetadata().getUid();
    proxy.noCapacity("t3.micro", zoneA, true);

    kubectl.run("scale", "sf/web", "-n", ns, "--replicas=12");
    ServerFleet done = awaitReady(fleet, 12);

    assertThat(typesBySubnet(uid))
        .isEqualTo(
            Map.of(
                subnetA,
                Map.of("t3.small", 4L),
                network.subnetIds().get(1),
                Map.of("t3.micro", 4L),
                network.subnetIds().get(2),
                Map.of("t3.micro", 4L)));
    List<Ec2Call> runs = runsOf(uid);
    long refused = runs.stream().filter(c -> c.outcome() == Ec2Call.Outcome.NO_CAPACITY).count();
    List<Ec2Call> intoA = runs.stream().filter(c -> subnetA.equals(c.subnetId())).toList();
    assertThat(refused).as("RunInstances refused for capacity").isEqualTo(1);
    assertThat(intoA)
        .extracting(Ec2Call::instanceType, Ec2Call::outcome)
        .as("into the zone without t3.micro: one refusal, then the next type in the same subnet")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("t3.micro", Ec2Call.Outcome.NO_CAPACITY),
            org.assertj.core.groups.Tuple.tuple("t3.small", Ec2Call.Outcome.FORWARDED));
    System.out.printf(
        "OfferingFallbackIT: RunInstances calls per fallback: %d (fallbacks %d: %d refused + %d on"
            + " the next type in the same subnet); RunInstances for the 12-instance fleet: %d%n",
        intoA.size() / refused, refused, refused, intoA.size() - refused, runs.size());

    assertThat(done.getStatus().getInstances())
        .filteredOn(i -> subnetA.equals(i.subnetId()))
        .extracting(InstanceStatus::instanceType)
        .containsOnly("t3.small");
    assertThat(done.getStatus().getUnavailableOfferings())
        .extracting(
            UnavailableOffering::instanceType,
            UnavailableOffering::zone,
            UnavailableOffering::capacityType,
            UnavailableOffering::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "t3.micro", zoneA, "on-demand", "InsufficientInstanceCapacity"));
    assertThat(fallbacks(done)).isEqualTo(1.0);
    await()
        .atMost(30, TimeUnit.SECONDS)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("LaunchFallback");
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getMessage()).contains("t3.micro", zoneA, "t3.small");
                        }));

    // Within the TTL the shortage is known: the next launch there goes to t3.small at once.
    kubectl.run("scale", "sf/web", "-n", ns, "--replicas=15");
    awaitReady(fleet, 15);
    List<Ec2Call> after = runsOf(uid).subList(runs.size(), runsOf(uid).size());
    assertThat(after)
        .filteredOn(c -> subnetA.equals(c.subnetId()))
        .extracting(Ec2Call::instanceType, Ec2Call::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("t3.small", Ec2Call.Outcome.FORWARDED));
    assertThat(typesBySubnet(uid).get(subnetA)).isEqualTo(Map.of("t3.small", 5L));
    System.out.printf(
        "OfferingFallbackIT: scale 12 -> 15 within the TTL: %d RunInstances, %d refused%n",
        after.size(),
        after.stream().filter(c -> c.outcome() == Ec2Call.Outcome.NO_CAPACITY).count());
  }

  @Test
  void aTypeMotosZoneDoesNotOfferIsLearnedFromDescribeInstanceTypeOfferingsAndNeverLaunched() {
    // moto's offerings data for us-east-1e lists 58 types, t2.micro among them and no t3 type
    MotoServer.Network network = moto.createNetwork(5);
    assertThat(network.zones().get(4)).isEqualTo("us-east-1e");
    String subnetE = network.subnetIds().get(4);
    String ns = newNamespace();
    ServerFleet fleet =
        awaitReady(
            create(fleetOf(ns, "edge", List.of("t3.micro", "t2.micro"), List.of(subnetE), network)),
            0);

    kubectl.run("scale", "sf/edge", "-n", ns, "--replicas=2");
    ServerFleet done = awaitReady(fleet, 2);

    String uid = done.getMetadata().getUid();
    assertThat(typesBySubnet(uid)).isEqualTo(Map.of(subnetE, Map.of("t2.micro", 2L)));
    assertThat(runsOf(uid)).extracting(Ec2Call::instanceType).containsOnly("t2.micro");
    assertThat(done.getStatus().getUnavailableOfferings())
        .containsExactly(
            new UnavailableOffering("t3.micro", "us-east-1e", "on-demand", "NotOffered", null));
    assertThat(proxy.count("DescribeInstanceTypeOfferings")).isPositive();
  }
}
