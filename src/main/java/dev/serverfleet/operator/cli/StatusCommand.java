package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf rollout status NAME}: like {@code kubectl rollout status deployment/NAME}, it
 * prints where the rollout stands and, with {@code --watch} (the default), follows the fleet with a
 * watch (an informer on the one object) until the rollout is done (exit 0) or failed (exit 1),
 * printing a line each time the verdict changes ({@link RolloutStatusViewer}).
 */
@Command(
    name = "status",
    description = "Show the status of the rollout; by default wait until it is done.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "The ServerFleet.")
  String name;

  @Option(
      names = {"-w", "--watch"},
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "true",
      description = "Watch the rollout until it is done (default ${DEFAULT-VALUE}).")
  boolean watch;

  @Option(
      names = "--timeout",
      defaultValue = "0s",
      converter = DurationConverter.class,
      description = "How long to wait before giving up (0s: forever), e.g. 5m.")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    StatusFollower follower =
        new StatusFollower(spec.commandLine().getOut(), spec.commandLine().getErr());
    try (Cluster cluster = KubectlSf.connect(spec)) {
      ServerFleet fleet = cluster.fleet(name);
      OptionalInt first = follower.accept(fleet);
      if (first.isPresent() || !watch) {
        return first.orElse(0);
      }
      return follow(cluster, follower);
    }
  }

  private int follow(Cluster cluster, StatusFollower follower) throws InterruptedException {
    BlockingQueue<Optional<ServerFleet>> versions = new LinkedBlockingQueue<>();
    ResourceEventHandler<ServerFleet> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ServerFleet fleet) {
            versions.add(Optional.of(fleet));
          }

          @Override
          public void onUpdate(ServerFleet old, ServerFleet fleet) {
            versions.add(Optional.of(fleet));
          }

          @Override
          public void onDelete(ServerFleet fleet, boolean finalStateUnknown) {
            versions.add(Optional.empty());
          }
        };
    long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    SharedIndexInformer<ServerFleet> informer = cluster.fleetResource(name).inform(handler, 0);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Optional<ServerFleet> next =
            deadline == Long.MAX_VALUE
                ? versions.take()
                : versions.poll(left, TimeUnit.NANOSECONDS);
        if (next == null) {
          throw CliError.of("timed out waiting for the condition");
        }
        if (next.isEmpty()) {
          return follower.deleted(name);
        }
        OptionalInt code = follower.accept(next.get());
        if (code.isPresent()) {
          return code.getAsInt();
        }
      }
    } finally {
      informer.close();
    }
  }
}
