package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.InstrumentedEc2;
import dev.serverfleet.operator.planning.PlanInput;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
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
    Logger log = LoggerFactory.getLogger(Main.class);
    log.info("starting: cluster={} region={} ec2Endpoint={} pollInterval={} namespaces={} labelSelector={} "
        + "leaderElection={}", config.clusterName(), config.region(),
        config.ec2Endpoint().map(Object::toString).orElse("(AWS)"), config.pollInterval(),
        config.namespaces().isEmpty() ? "(all)" : config.namespaces(), config.labelSelector().orElse("(none)"),
        config.leaderElection() ? config.leaseName() : "off");

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    KubernetesClient client = new KubernetesClientBuilder().build();
    var ec2 = new InstrumentedEc2(
        AwsEc2.create(config.region(), config.ec2Endpoint(), config.sdkRetries()), registry);
    FleetOperator operator = FleetOperator.start(config, client, ec2, Clock.systemUTC(), registry,
        PlanInput.Timing.DEFAULT);
    ManagementServer management = new ManagementServer(config.managementPort(), registry, operator::alive,
        operator::ready);
    log.info("operator started; metrics and probes on :{}", management.port());

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      management.close();
      operator.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
  }
}
