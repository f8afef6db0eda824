package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.AwsOfferings;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2Buckets;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.InstrumentedEc2;
import dev.serverfleet.operator.cloud.InstrumentedOfferings;
import dev.serverfleet.operator.cloud.Offerings;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.runtime.FleetOperator;
import dev.serverfleet.operator.runtime.OperatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The test bed with the operator in-process as the jar wires it, its EC2 calls going over the wire
 * through an {@link Ec2FaultProxy} in front of moto: the AWS SDK with its retries on (as in
 * production), client tokens honoured as on AWS, and faults on demand. What tests prove here, SDK
 * retries, error classification, the sweep cache and status writes prove together.
 */
public abstract class ProxiedOperatorTestBed extends ControlPlaneTestBed {
  /** Orphans are collected after this long in these tests (10 minutes by default). */
  protected static final Duration ORPHAN_GRACE = Duration.ofSeconds(3);

  protected static Ec2FaultProxy proxy;
  protected static FleetOperator operator;
  protected static SimpleMeterRegistry registry;

  @BeforeAll
  static void startProxiedOperator() {
    proxy = Ec2FaultProxy.start(moto.endpoint());
    // The SDK's default credentials chain reads these, as it would read IRSA's in a pod.
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    startOperator();
  }

  @AfterAll
  static void stopProxiedOperator() {
    stopOperator();
    proxy.close();
  }

  protected static void startOperator() {
    startOperator(Duration.ofSeconds(1));
  }

  /** The operator with this poll interval (a sweep of all instances) and the default fast lane. */
  protected static void startOperator(Duration pollInterval) {
    startOperator(pollInterval, false);
  }

  /**
   * @param rateLimits the operator keeps EC2's request limits on its side (cloud/Ec2RateLimits), as
   *     the jar does by default
   */
  protected static void startOperator(Duration pollInterval, boolean rateLimits) {
    startOperator(pollInterval, rateLimits, false);
  }

  /**
   * @param learnOfferings the operator learns subnets' zones and the types zones offer through the
   *     proxy (cloud/AwsOfferings), as the jar does; off, it knows no zones (Offerings.NONE)
   */
  protected static void startOperator(
      Duration pollInterval, boolean rateLimits, boolean learnOfferings) {
    startOperator(pollInterval, rateLimits, learnOfferings, c -> c);
  }

  /**
   * As above, with the configuration changed by {@code configure} (an interruption queue; the sizes
   * of the client's EC2 buckets, when {@code rateLimits}).
   */
  protected static void startOperator(
      Duration pollInterval,
      boolean rateLimits,
      boolean learnOfferings,
      java.util.function.UnaryOperator<OperatorConfig> configure) {
    var config =
        configure.apply(
            OperatorConfig.of(
                    cluster, MotoServer.REGION, Optional.of(proxy.endpoint()), pollInterval)
                .withOrphanGrace(ORPHAN_GRACE));
    registry = new SimpleMeterRegistry();
    var ec2 =
        new InstrumentedEc2(
            AwsEc2.create(
                MotoServer.REGION,
                Optional.of(proxy.endpoint()),
                true,
                rateLimits
                    ? Optional.of(
                        new Ec2RateLimits(
                            registry, config.ec2RateLimits().orElse(Ec2Buckets.EC2_DEFAULTS)))
                    : Optional.empty()),
            registry);
    Offerings offerings =
        learnOfferings
            ? new InstrumentedOfferings(
                AwsOfferings.create(MotoServer.REGION, Optional.of(proxy.endpoint()), true),
                registry)
            : Offerings.NONE;
    operator =
        FleetOperator.start(
            config,
            client,
            CloudPorts.of(ec2).withOfferings(offerings),
            Clock.systemUTC(),
            registry,
            TIMING);
  }

  protected static void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** Every instance moto ever launched for the fleet, in any state (moto keeps terminated ones). */
  protected static List<Instance> everLaunched(String fleetUid) {
    return ec2.describeOwned(cluster).stream().filter(i -> i.ownedBy(cluster, fleetUid)).toList();
  }

  /** How many RunInstances calls with each of the fleet's client tokens moto itself received. */
  protected static Map<String, Long> forwardedRunsByToken(String fleetUid) {
    return runsOf(fleetUid).stream()
        .filter(Ec2Call::upstream)
        .collect(Collectors.groupingBy(Ec2Call::clientToken, Collectors.counting()));
  }

  /** The fleet's RunInstances calls: its client tokens start with a prefix of its uid. */
  protected static List<Ec2Call> runsOf(String fleetUid) {
    String prefix = "sf-" + fleetUid.replace("-", "").substring(0, 12) + "-";
    return proxy.calls().stream()
        .filter(
            c ->
                c.action().equals("RunInstances")
                    && c.clientToken() != null
                    && c.clientToken().startsWith(prefix))
        .toList();
  }
}
