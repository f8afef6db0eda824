package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.CloudException;
import dev.serverfleet.operator.cloud.Ec2Port;
import dev.serverfleet.operator.cloud.ErrorClass;
import dev.serverfleet.operator.controller.StatusBuilder.Degradation;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.InstanceTypeChoice;
import dev.serverfleet.operator.planning.Intent;
import dev.serverfleet.operator.planning.Launch;
import dev.serverfleet.operator.planning.LaunchLedger;
import dev.serverfleet.operator.planning.LaunchSettings;
import dev.serverfleet.operator.planning.Plan;
import dev.serverfleet.operator.planning.Termination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The act step: carries out a plan through the EC2 port (one RunInstances per launch, one
 * TerminateInstances per termination reason, one DescribeInstances per lookup) and moves every
 * intent through the {@link LaunchLedger} by what EC2 answered.
 */
final class FleetActions {

  /**
   * @param launched instances RunInstances returned, to be cached before the next sweep
   * @param terminated ids TerminateInstances accepted
   * @param intents the launch ledger after the calls
   * @param degraded a terminal failure to report, if any
   * @param retryIn when the fleet should be looked at again because something retryable failed
   */
  record Outcome(
      List<Instance> launched,
      List<String> terminated,
      List<Intent> intents,
      Optional<Degradation> degraded,
      Optional<Duration> retryIn) {}

  /** What the pass calls back as it goes, for the observation cache. */
  interface Observer {
    void launched(Instance instance);

    void terminating(String instanceId);
  }

  private final Ec2Port ec2;
  private final String clusterName;
  private final FleetEvents events;
  private final FleetMetrics metrics;
  private final FailureMemory failures;
  private final OfferingFallback fallback;

  FleetActions(
      Ec2Port ec2,
      String clusterName,
      FleetEvents events,
      FleetMetrics metrics,
      FailureMemory failures) {
    this.ec2 = ec2;
    this.clusterName = clusterName;
    this.events = events;
    this.metrics = metrics;
    this.failures = failures;
    this.fallback = new OfferingFallback(failures.offerings(), events, metrics);
  }

  /** The mutable state of one pass. */
  private final class Pass {
    final ServerFleet fleet;
    final String uid;
    final Instant now;
    final Map<String, Intent> ledger = new LinkedHashMap<>();
    final List<Instance> launched = new ArrayList<>();
    final List<String> terminated = new ArrayList<>();
    Optional<Degradation> degraded = Optional.empty();
    Optional<Duration> retryIn = Optional.empty();
    boolean launchesStopped;
    InstanceTypeChoice types;

    Pass(ServerFleet fleet, Plan plan, InstanceTypeChoice types, Instant now) {
      this.fleet = fleet;
      this.uid = fleet.getMetadata().getUid();
      this.now = now;
      this.types = types;
      plan.intents().forEach(i -> ledger.put(i.token(), i));
    }

    void update(Intent before, Optional<Intent> after) {
      after.ifPresentOrElse(i -> ledger.put(i.token(), i), () -> ledger.remove(before.token()));
    }

    void retryIn(Duration candidate) {
      retryIn = Optional.of(retryIn.filter(c -> c.compareTo(candidate) <= 0).orElse(candidate));
    }

    Outcome outcome() {
      return new Outcome(launched, terminated, List.copyOf(ledger.values()), degraded, retryIn);
    }
  }

  /**
   * @param types the pass's choice of instance types: the zones of the subnets, and what a shortage
   *     of one offering leaves available
   * @param known ids of the instances already observed: a retried launch that returns them is not
   *     counted or announced as a launch again
   */
  Outcome apply(
      ServerFleet fleet,
      Plan plan,
      LaunchSettings settings,
      InstanceTypeChoice types,
      Instant now,
      Set<String> known,
      Observer observer) {
    Pass pass = new Pass(fleet, plan, types, now);
    for (Launch launch : plan.launches()) {
      launch(pass, launch, settings, known, observer);
    }
    for (Intent lookup : plan.lookups()) {
      lookUp(pass, lookup);
    }
    terminate(pass, plan.terminations(), observer);
    return pass.outcome();
  }

  private void launch(
      Pass pass, Launch launch, LaunchSettings settings, Set<String> known, Observer observer) {
    Intent intent = pass.ledger.get(launch.token());
    if (pass.launchesStopped) {
      pass.update(intent, LaunchLedger.notSent(intent));
      return;
    }
    try {
      List<Instance> instances =
          ec2.runInstances(LaunchRequests.of(clusterName, pass.fleet, launch, settings));
      List<String> ids = instances.stream().map(Instance::id).toList();
      pass.update(intent, Optional.of(LaunchLedger.answered(intent, ids, pass.now)));
      instances.forEach(observer::launched);
      pass.launched.addAll(instances);
      failures.retries().succeeded(pass.uid);
      // A retry that returns what an earlier call already answered launched nothing new.
      List<Instance> fresh =
          instances.stream()
              .filter(i -> !known.contains(i.id()) && !intent.instanceIds().contains(i.id()))
              .toList();
      if (!fresh.isEmpty()) {
        metrics.launched(pass.fleet, fresh.size());
        events.normal(
            pass.fleet,
            "Launched",
            "Launched "
                + fresh.size()
                + " instance(s) of "
                + typeOf(launch, settings)
                + " in "
                + launch.subnetId()
                + ": "
                + fresh.stream().map(Instance::id).collect(Collectors.joining(", "))
                + (launch.retry() ? " (retried launch " + launch.token() + ")" : ""));
      }
    } catch (CloudException e) {
      pass.update(
          intent,
          e.neverSent()
              ? LaunchLedger.notSent(intent)
              : LaunchLedger.failed(intent, e.definitelyRefused(), pass.now));
      launchFailed(pass, launch, settings, e);
    }
  }

  private static String typeOf(Launch launch, LaunchSettings settings) {
    return launch.instanceType() != null ? launch.instanceType() : settings.preferredType();
  }

  private void launchFailed(Pass pass, Launch launch, LaunchSettings settings, CloudException e) {
    String what =
        "RunInstances in "
            + launch.subnetId()
            + " failed ("
            + e.code()
            + "): "
            + e.getMessage()
            + (e.definitelyRefused() || e.neverSent()
                ? ""
                : "; the launch may have happened and is retried with the same client token");
    events.warning(pass.fleet, "LaunchFailed", what);
    if (e.errorClass() == ErrorClass.TERMINAL) {
      long generation = Optional.ofNullable(pass.fleet.getMetadata().getGeneration()).orElse(0L);
      failures.holds().hold(pass.uid, generation, pass.now, "LaunchFailed", what);
      pass.degraded = Optional.of(new Degradation("LaunchFailed", what));
      // The same call would fail in every other subnet too, unless the subnet was the problem.
      pass.launchesStopped = !e.code().startsWith("InvalidSubnet");
    } else if (e.errorClass() == ErrorClass.INSUFFICIENT_CAPACITY) {
      fallback
          .fallBack(pass.fleet, launch, typeOf(launch, settings), pass.types, e, pass.now)
          .ifPresentOrElse(
              left -> pass.types = left,
              () -> failures.avoidance().avoid(pass.uid, launch.subnetId(), pass.now));
      pass.retryIn(RetryBackoff.RETRY_BASE);
    } else {
      pass.retryIn(failures.retries().failed(pass.uid));
    }
  }

  /** Settles an intent of unknown outcome, or acknowledged instances EC2 never showed. */
  private void lookUp(Pass pass, Intent intent) {
    List<String> found;
    try {
      found =
          ec2.describeLaunch(clusterName, intent.token()).stream()
              .filter(i -> i.ownedBy(clusterName, pass.uid))
              .map(Instance::id)
              .toList();
    } catch (CloudException e) {
      pass.retryIn(failures.retries().failed(pass.uid));
      return;
    }
    pass.update(intent, LaunchLedger.lookedUp(intent, found, pass.now));
    String launch =
        "Launch "
            + intent.token()
            + " of "
            + intent.count()
            + " instance(s) in "
            + intent.subnetId();
    if (!found.isEmpty()) {
      events.normal(
          pass.fleet,
          "LaunchFound",
          launch + " found in EC2 by its launch tag: " + String.join(", ", found));
    } else if (intent.state() == Intent.State.ACKNOWLEDGED) {
      events.warning(
          pass.fleet,
          "LaunchLost",
          launch
              + ": EC2 acknowledged "
              + String.join(", ", intent.instanceIds())
              + " but has not shown them since, and finds none with its launch tag; no longer counted");
    } else {
      events.normal(
          pass.fleet,
          "LaunchSettled",
          launch
              + " had an unknown outcome; EC2 shows no instance with its"
              + " launch tag, so it launched nothing");
    }
  }

  private void terminate(Pass pass, List<Termination> terminations, Observer observer) {
    Map<Termination.Reason, List<String>> byReason = new EnumMap<>(Termination.Reason.class);
    terminations.forEach(
        t -> byReason.computeIfAbsent(t.reason(), r -> new ArrayList<>()).add(t.instanceId()));
    byReason.forEach(
        (reason, ids) -> {
          try {
            ec2.terminate(ids);
            pass.terminated.addAll(ids);
            ids.forEach(observer::terminating);
            metrics.terminated(pass.fleet, ids.size(), reason.name().toLowerCase(Locale.ROOT));
            events.normal(
                pass.fleet,
                "Terminated",
                "Terminated "
                    + ids.size()
                    + " instance(s) ("
                    + describe(reason)
                    + "): "
                    + String.join(", ", ids));
          } catch (CloudException e) {
            String what = "TerminateInstances failed (" + e.code() + "): " + e.getMessage();
            events.warning(pass.fleet, "TerminateFailed", what);
            if (e.errorClass() == ErrorClass.TERMINAL) {
              pass.degraded = Optional.of(new Degradation("TerminateFailed", what));
            }
            pass.retryIn(failures.retries().failed(pass.uid));
          }
        });
  }

  static String describe(Termination.Reason reason) {
    return switch (reason) {
      case STOPPED -> "stopped, replacing";
      case UNHEALTHY -> "failing status checks, replacing";
      case ROLLOUT -> "replaced by the current revision";
      case INTERRUPTED -> "AWS interruption notice, replaced";
      case SCALE_IN -> "scale-in";
    };
  }
}
