package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.AwsSsm;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.InstrumentedEc2;
import dev.serverfleet.operator.controller.WebhookTargets;
import dev.serverfleet.operator.runtime.FleetOperator;
import dev.serverfleet.operator.runtime.Hooks;
import dev.serverfleet.operator.runtime.OperatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The test bed for pre-termination hooks: the operator in-process as the jar wires it, EC2 through
 * an {@link Ec2FaultProxy} (which records when each TerminateInstances was made), SSM Run Command
 * on moto, and a {@link DrainServer} on 127.0.0.1. Fleets name {@code
 * https://drain.example.test/...}; the operator's test-only loopback redirect ({@link
 * WebhookTargets}) sends those calls to the drain server over http. Nothing else may go to a
 * loopback address.
 */
public abstract class HookOperatorTestBed extends ControlPlaneTestBed {
  protected static final String HOST = "drain.example.test";
  protected static DrainServer drains;
  protected static Ec2FaultProxy proxy;
  protected static SsmClient ssm;
  protected static FleetOperator operator;

  @BeforeAll
  static void startHookBed() {
    drains = DrainServer.start();
    proxy = Ec2FaultProxy.start(moto.endpoint());
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    ssm =
        AwsSsm.client(
            MotoServer.REGION,
            Optional.of(moto.endpoint()),
            false,
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
    startOperator();
  }

  @AfterAll
  static void stopHookBed() {
    stopOperator();
    proxy.close();
    drains.close();
  }

  protected static void startOperator() {
    var config =
        OperatorConfig.of(
            cluster, MotoServer.REGION, Optional.of(proxy.endpoint()), Duration.ofSeconds(1));
    var registry = new SimpleMeterRegistry();
    var ec2 =
        new InstrumentedEc2(
            AwsEc2.create(MotoServer.REGION, Optional.of(proxy.endpoint()), true, Optional.empty()),
            registry);
    var hooks =
        new Hooks(
            new AwsSsm(ssm),
            new WebhookTargets(Map.of(HOST, drains.base())),
            Hooks.MAX_CONCURRENT_WEBHOOKS,
            Hooks.SSM_CALLS_PER_SECOND);
    operator =
        FleetOperator.start(
            config,
            client,
            CloudPorts.of(ec2),
            Clock.systemUTC(),
            registry,
            FleetOperator.instrument(registry),
            TIMING,
            hooks);
  }

  protected static void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** When TerminateInstances named this instance first, as the proxy saw it. */
  protected static Optional<Instant> terminatedAt(String instanceId) {
    return proxy.calls().stream()
        .filter(
            c -> c.action().equals("TerminateInstances") && c.instanceIds().contains(instanceId))
        .map(Ec2Call::start)
        .min(Instant::compareTo);
  }
}
