package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.AwsInstanceTypes;
import dev.serverfleet.operator.cloud.AwsLaunchLookups;
import dev.serverfleet.operator.cloud.AwsLaunchTemplates;
import dev.serverfleet.operator.cloud.AwsOfferings;
import dev.serverfleet.operator.cloud.AwsTargetGroups;
import dev.serverfleet.operator.cloud.CachedInstanceTypes;
import dev.serverfleet.operator.cloud.CachedTargetGroups;
import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2RateLimits;
import dev.serverfleet.operator.cloud.InstrumentedEc2;
import dev.serverfleet.operator.cloud.InstrumentedInstanceTypes;
import dev.serverfleet.operator.cloud.InstrumentedLaunchLookups;
import dev.serverfleet.operator.cloud.InstrumentedLaunchTemplates;
import dev.serverfleet.operator.cloud.InstrumentedOfferings;
import dev.serverfleet.operator.cloud.InstrumentedTargetGroups;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/** Runs the operator as a process: {@code java -jar serverfleet-operator.jar --help}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    OperatorConfig config;
    try {
      config = OperatorConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    // Before the first logger exists: logback.xml picks the appender from this property.
    System.setProperty("SF_LOG_FORMAT", config.logFormat());
    logStart(config);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Once for every start attempt below, and before the first meter (FleetOperator.instrument).
    Metrics josdkMetrics = FleetOperator.instrument(registry);
    new JvmMemoryMetrics().bindTo(registry);
    KubernetesClient client = new KubernetesClientBuilder().build();
    CloudPorts cloud = cloud(config, registry);

    // Probes first, so that a kubelet sees a live process while the operator waits for the API
    // server: /healthz is true while starting, /readyz only once a first sweep of EC2 succeeded.
    AtomicReference<FleetOperator> operator = new AtomicReference<>();
    AtomicBoolean stopping = new AtomicBoolean();
    ManagementServer management =
        new ManagementServer(
            config.managementPort(),
            registry,
            () -> operator.get() == null ? !stopping.get() : operator.get().alive(),
            () -> operator.get() != null && operator.get().ready());
    LoggerFactory.getLogger(Main.class).info("metrics and probes on :{}", management.port());

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> shutDown(management, operator, client, stopping, stopped), "shutdown"));

    startWithRetries(
        () ->
            FleetOperator.start(
                config,
                client,
                cloud,
                Clock.systemUTC(),
                registry,
                josdkMetrics,
                PlanInput.Timing.DEFAULT),
        operator,
        stopping,
        stopped);
    stopped.await();
  }

  /**
   * The ports to AWS as configured: timed, and within EC2's request limits unless turned off (one
   * set of buckets per process, as EC2 meters the account, shared by the instances' port and the
   * selector lookups' describes); instance-type sizes remembered for the life of the process;
   * launch templates read on the instances' describe client.
   */
  static CloudPorts cloud(OperatorConfig config, MeterRegistry registry) {
    Optional<Ec2RateLimits> limits =
        config.ec2RateLimits().map(sizes -> new Ec2RateLimits(registry, sizes));
    AwsEc2 aws = AwsEc2.create(config.region(), config.ec2Endpoint(), config.sdkRetries(), limits);
    return new CloudPorts(
        new InstrumentedEc2(aws, registry),
        // subnets' zones and the types each zone offers: rare calls, on their own client
        new InstrumentedOfferings(
            AwsOfferings.create(config.region(), config.ec2Endpoint(), config.sdkRetries()),
            registry),
        new CachedInstanceTypes(
            new InstrumentedInstanceTypes(AwsInstanceTypes.sharing(aws), registry)),
        // SSM goes to the same endpoint override
        new InstrumentedLaunchLookups(
            AwsLaunchLookups.create(
                config.region(), config.ec2Endpoint(), config.sdkRetries(), limits),
            registry),
        new InstrumentedLaunchTemplates(AwsLaunchTemplates.sharing(aws), registry),
        // ELBv2 goes to the same endpoint override; deregistration delays read once per group
        new CachedTargetGroups(
            new InstrumentedTargetGroups(
                AwsTargetGroups.create(config.region(), config.ec2Endpoint(), config.sdkRetries()),
                registry)));
  }

  private static void logStart(OperatorConfig config) {
    LoggerFactory.getLogger(Main.class)
        .info(
            "starting: cluster={} region={} ec2Endpoint={} pollInterval={} namespaces={} labelSelector={} "
                + "leaderElection={} ec2RateLimits={} interruptionQueue={}",
            config.clusterName(),
            config.region(),
            config.ec2Endpoint().map(Object::toString).orElse("(AWS)"),
            config.pollInterval(),
            config.namespaces().isEmpty() ? "(all)" : config.namespaces(),
            config.labelSelector().orElse("(none)"),
            config.leaderElection() ? config.leaseName() : "off",
            config.ec2RateLimits().map(Object::toString).orElse("off"),
            config.interruptionQueue().orElse("off"));
  }

  /** SIGTERM: probes first, then the operator (it releases its lease), then the client. */
  private static void shutDown(
      ManagementServer management,
      AtomicReference<FleetOperator> operator,
      KubernetesClient client,
      AtomicBoolean stopping,
      CountDownLatch stopped) {
    LoggerFactory.getLogger(Main.class).info("shutting down");
    stopping.set(true);
    management.close();
    FleetOperator running = operator.get();
    if (running != null) {
      running.close();
    }
    client.close();
    stopped.countDown();
  }

  /**
   * Starts the operator, retrying with backoff (1 s doubling to 30 s) until it starts or the
   * process stops.
   */
  private static void startWithRetries(
      Supplier<FleetOperator> start,
      AtomicReference<FleetOperator> operator,
      AtomicBoolean stopping,
      CountDownLatch stopped)
      throws InterruptedException {
    Duration wait = Duration.ofSeconds(1);
    while (!stopping.get()) {
      try {
        operator.set(start.get());
        LoggerFactory.getLogger(Main.class).info("operator started");
        return;
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Main.class)
            .warn(
                "could not start the operator, retrying in {} s: {}",
                wait.toSeconds(),
                rootMessage(e));
        if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
        wait =
            wait.multipliedBy(2).compareTo(MAX_START_WAIT) > 0
                ? MAX_START_WAIT
                : wait.multipliedBy(2);
      }
    }
  }

  private static final Duration MAX_START_WAIT = Duration.ofSeconds(30);

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return e.getMessage() + (root == e ? "" : " (" + root + ")");
  }
}
