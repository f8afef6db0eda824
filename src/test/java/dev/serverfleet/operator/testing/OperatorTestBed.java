package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.cloud.AwsInstanceTypes;
import dev.serverfleet.operator.cloud.AwsLaunchTemplates;
import dev.serverfleet.operator.cloud.CachedInstanceTypes;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.InstrumentedEc2;
import dev.serverfleet.operator.cloud.InstrumentedInstanceTypes;
import dev.serverfleet.operator.cloud.InstrumentedLaunchLookups;
import dev.serverfleet.operator.cloud.InstrumentedLaunchTemplates;
import dev.serverfleet.operator.cloud.TargetGroups;
import dev.serverfleet.operator.runtime.FleetOperator;
import dev.serverfleet.operator.runtime.OperatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The integration test bed of {@link ControlPlaneTestBed} with the operator running in-process,
 * with the same wiring as the jar ({@link FleetOperator}), a 1 s poll and short intent timings, and
 * selector lookups against the same moto refreshed every {@link #SELECTOR_REFRESH}.
 */
public abstract class OperatorTestBed extends ControlPlaneTestBed {
  protected static FleetOperator operator;

  /** How often a selector is looked up again in these tests (5 min in production). */
  protected static final Duration SELECTOR_REFRESH = Duration.ofSeconds(2);

  @BeforeAll
  static void startInProcessOperator() {
    startOperator();
  }

  @AfterAll
  static void stopInProcessOperator() {
    stopOperator();
  }

  protected static void startOperator() {
    startOperator(ec2);
  }

  /** With this EC2 port, e.g. one whose client records what it sends. */
  protected static void startOperator(Ec2Port port) {
    startOperator(port, TargetGroups.NONE);
  }

  /** With these EC2 and ELBv2 ports. */
  protected static void startOperator(Ec2Port port, TargetGroups targetGroups) {
    var config =
        OperatorConfig.of(
                cluster, MotoServer.REGION, Optional.of(moto.endpoint()), Duration.ofSeconds(1))
            .withSelectorRefreshInterval(SELECTOR_REFRESH);
    var registry = new SimpleMeterRegistry();
    operator =
        FleetOperator.start(
            config,
            client,
            CloudPorts.of(new InstrumentedEc2(port, registry))
                .withInstanceTypes(
                    new CachedInstanceTypes(
                        new InstrumentedInstanceTypes(
                            new AwsInstanceTypes(moto.ec2Client()), registry)))
                .withLookups(new InstrumentedLaunchLookups(moto.launchLookups(), registry))
                .withLaunchTemplates(
                    new InstrumentedLaunchTemplates(
                        new AwsLaunchTemplates(moto.ec2Client()), registry))
                .withTargetGroups(targetGroups),
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
}
