package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.CloudPorts;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.TerminationBatcher;
import dev.serverfleet.operator.controller.DrainMetrics;
import dev.serverfleet.operator.controller.EventRecorder;
import dev.serverfleet.operator.controller.FleetDirectory;
import dev.serverfleet.operator.controller.FleetLoop;
import dev.serverfleet.operator.controller.FleetMetrics;
import dev.serverfleet.operator.controller.HookCalls;
import dev.serverfleet.operator.controller.InstancePoller;
import dev.serverfleet.operator.controller.InstanceSweep;
import dev.serverfleet.operator.controller.InterruptionNotices;
import dev.serverfleet.operator.controller.KubeFleetStore;
import dev.serverfleet.operator.controller.OrphanCollector;
import dev.serverfleet.operator.controller.SecretReader;
import dev.serverfleet.operator.controller.ServerFleetReconciler;
import dev.serverfleet.operator.controller.SsmDrains;
import dev.serverfleet.operator.controller.WebhookCalls;
import dev.serverfleet.operator.planning.PlanInput;
import dev.serverfleet.operator.selection.LaunchResolver;
import dev.serverfleet.operator.selection.SelectorCache;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.search.Search;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator assembled: one reconciler, its EC2 poller and metrics, on a JOSDK {@link Operator}.
 * {@code Main} runs it as a process; integration tests run the very same wiring in-process.
 */
public final class FleetOperator implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(FleetOperator.class);
  private static volatile boolean stopping;
  private final Operator operator;
  private final AutoCloseable webhooks;

  private FleetOperator(Operator operator, AutoCloseable webhooks) {
    this.operator = operator;
    this.webhooks = webhooks;
  }

  /** {@link #instrument} and start, for a registry that serves a single start (tests). */
  public static FleetOperator start(
      OperatorConfig config,
      KubernetesClient client,
      Ec2Port ec2,
      Clock clock,
      MeterRegistry registry,
      PlanInput.Timing timing) {
    return start(config, client, CloudPorts.of(ec2), clock, registry, timing);
  }

  /** As above, with every port to AWS the operator may use. */
  public static FleetOperator start(
      OperatorConfig config,
      KubernetesClient client,
      CloudPorts cloud,
      Clock clock,
      MeterRegistry registry,
      PlanInput.Timing timing) {
    return start(config, client, cloud, clock, registry, instrument(registry), timing);
  }

  /**
   * Prepares a registry for the operators to be started on it: the reconcile-latency histogram and
   * JOSDK's metrics. Once per registry, before any meter is registered (Micrometer applies a filter
   * only to meters registered after it; a start that {@code Main} retries would stack another).
   */
  public static Metrics instrument(MeterRegistry registry) {
    // Reconcile latency as a histogram, so dashboards can show percentiles across replicas.
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER
                    && id.getName().startsWith("operator.sdk.controllers.execution")) {
                  return DistributionStatisticConfig.builder()
                      .percentilesHistogram(true)
                      .build()
                      .merge(config);
                }
                return config;
              }
            });
    return MicrometerMetrics.newMicrometerMetricsBuilder(registry)
        .notCollectingMetricsPerResource()
        .build();
  }

  /**
   * Builds the operator and starts it; throws when the start fails (the API server unreachable, for
   * one), having stopped whatever it had started, so that the caller may simply try again.
   *
   * @param cloud every port to AWS the operator uses ({@link CloudPorts})
   * @param josdkMetrics from {@link #instrument} on {@code registry}, the same for every attempt
   * @param lookups resolve amiSelector, subnetSelector and securityGroupSelector
   */
  public static FleetOperator start(
      OperatorConfig config,
      KubernetesClient client,
      CloudPorts cloud,
      Clock clock,
      MeterRegistry registry,
      Metrics josdkMetrics,
      PlanInput.Timing timing) {
    return start(config, client, cloud, clock, registry, josdkMetrics, timing, Hooks.of(config));
  }

  /** As above, with the hooks' wiring given (tests: SSM on moto, a loopback drain server). */
  public static FleetOperator start(
      OperatorConfig config,
      KubernetesClient client,
      CloudPorts cloud,
      Clock clock,
      MeterRegistry registry,
      Metrics josdkMetrics,
      PlanInput.Timing timing,
      Hooks hooks) {
    WebhookCalls webhooks =
        new WebhookCalls(hooks.maxConcurrentWebhooks(), hooks.targets(), SecretReader.of(client));
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(20))
                  .withMetrics(josdkMetrics);
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(leaderElection(config));
              }
            });
    operator.register(
        reconciler(
            config,
            client,
            cloud,
            clock,
            registry,
            sweepSafe(timing, config),
            new HookCalls(webhooks, new SsmDrains(hooks.ssm(), clock, hooks.ssmCallsPerSecond()))),
        o -> {
          o.withGenerationAware(false).withOnUpdateFilter(ServerFleetReconciler::relevantUpdate);
          config.labelSelector().ifPresent(o::withLabelSelector);
          if (!config.namespaces().isEmpty()) {
            o.settingNamespaces(config.namespaces());
          }
        });
    try {
      operator.start();
    } catch (RuntimeException e) {
      stopQuietly(operator);
      forgetControllerGauges(registry);
      webhooks.close();
      throw e;
    }
    return new FleetOperator(operator, webhooks);
  }

  /**
   * JOSDK's own exit on lost leadership calls System.exit, which deadlocks when it happens inside
   * our shutdown hook (SIGTERM → stop → leadership released). So: halt at once on an involuntary
   * loss (no reconcile may run next to the new leader's), nothing on shutdown.
   */
  private static LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    var election =
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(config.leaseName())
            .withIdentity(identity())
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(
                new LeaderCallbacks(() -> {}, FleetOperator::lostLeadership, leader -> {}));
    config.leaseNamespace().ifPresent(election::withLeaseNamespace);
    return election.build();
  }

  /** An intent must outlive a sweep that may not show its instances yet (see LaunchLedger). */
  private static PlanInput.Timing sweepSafe(PlanInput.Timing timing, OperatorConfig config) {
    Duration twoSweeps = config.pollInterval().multipliedBy(2);
    Duration retry =
        timing.retryAfter().compareTo(twoSweeps) >= 0 ? timing.retryAfter() : twoSweeps;
    Duration deadline = retry.multipliedBy(4);
    return new PlanInput.Timing(
        retry,
        timing.visibilityDeadline().compareTo(deadline) >= 0
            ? timing.visibilityDeadline()
            : deadline);
  }

  /** The reconciler and what it runs on: the loop, the sweep of EC2, the orphan collector. */
  private static ServerFleetReconciler reconciler(
      OperatorConfig config,
      KubernetesClient client,
      CloudPorts ports,
      Clock clock,
      MeterRegistry registry,
      PlanInput.Timing timing,
      HookCalls drainActions) {
    // every fleet's terminations in as few calls as EC2 allows, below them the calls as given
    CloudPorts cloud = ports.withEc2(new TerminationBatcher(ports.ec2(), registry));
    Ec2Port ec2 = cloud.ec2();
    var metrics = new FleetMetrics(registry);
    var events = new EventRecorder(client, clock);
    var store = new KubeFleetStore(client);
    var loop =
        new FleetLoop(
            cloud,
            config.unavailableOfferingTtl(),
            config.clusterName(),
            clock,
            timing,
            events,
            metrics,
            store);
    loop.useDrains(drainActions, new DrainMetrics(registry));
    loop.useGates(drainActions);
    // refreshed once per poll: a new $Latest is seen as soon as a new instance would be
    loop.useLaunchTemplates(cloud.launchTemplates(), config.pollInterval());
    loop.useResolver(
        new LaunchResolver(
            cloud.lookups(), new SelectorCache(clock, config.selectorRefreshInterval())));
    var fleets = new FleetDirectory();
    var orphans =
        new OrphanCollector(
            ec2,
            config.clusterName(),
            config.orphanGrace(),
            clock,
            ns -> config.namespaces().isEmpty() || config.namespaces().contains(ns),
            fleets,
            registry);
    var sweep =
        new InstanceSweep(
            new InstancePoller(ec2, config.clusterName(), fleets::wantsStatusChecks)::poll,
            config.pollInterval(),
            clock,
            registry,
            orphans,
            ec2::describeByIds,
            config.fastPollInterval());
    var notices = new InterruptionNotices();
    var interruptions =
        InterruptionQueues.consumer(config, sweep, fleets, notices, events, registry, clock);
    return new ServerFleetReconciler(
        sweep, loop, fleets, ec2, events, metrics, store, clock, notices, interruptions);
  }

  /** The pod name where there is one, made unique so that two processes on one host differ. */
  private static String identity() {
    String host = System.getenv().getOrDefault("HOSTNAME", "serverfleet-operator");
    return host + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Started, and every event source healthy: the informer synced, and the last sweep of EC2
   * succeeded.
   */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public boolean alive() {
    return operator.getRuntimeInfo().isStarted();
  }

  /**
   * Removes the gauges JOSDK's metrics bound to this attempt's counters when the controller was
   * registered (reconciles executing, queue size): Micrometer keeps the first gauge of a name, so
   * the next attempt's would otherwise never be read.
   */
  private static void forgetControllerGauges(MeterRegistry registry) {
    Search.in(registry)
        .name(
            name ->
                name.startsWith("operator.sdk.reconciliations.executions.")
                    || name.startsWith("operator.sdk.reconciliations.queue.size."))
        .meters()
        .forEach(registry::remove);
  }

  /** Stops whatever a failed start left running. */
  private static void stopQuietly(Operator operator) {
    try {
      operator.stop();
    } catch (RuntimeException e) {
      log.debug("stopping after a failed start: {}", e.toString());
    }
  }

  private static void lostLeadership() {
    if (!stopping) {
      log.error(
          "lost the leader-election lease while running: halting so that only the new leader acts");
      Runtime.getRuntime().halt(1);
    }
  }

  @Override
  public void close() {
    stopping = true;
    operator.stop();
    try {
      webhooks.close();
    } catch (Exception e) {
      log.debug("closing the webhook pool: {}", e.toString());
    }
  }
}
