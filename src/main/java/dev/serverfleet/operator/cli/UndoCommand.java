package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf rollout undo NAME [--to-revision=N]}: the target revision is resolved here
 * ({@link History#undoTarget}); the operator does the rollback. The contract: this command sets the
 * annotation {@value ServerFleet#ROLLBACK_TO} to the number; the operator writes that revision's
 * template into spec.template, removes the annotation and records an Event {@value #ROLLED_BACK};
 * or, when it cannot (e.g. the AMI is gone), removes the annotation, leaves the spec and records a
 * Warning {@value #REFUSED} saying why. This command waits (watches, bounded by {@code --timeout})
 * for the annotation to go and for an event of either reason that was not there before.
 */
@Command(name = "undo", description = "Roll back to a previous revision (the operator does it).")
final class UndoCommand implements Callable<Integer> {
  static final String ROLLED_BACK = "RolledBack";
  static final String REFUSED = "RollbackRefused";

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "The ServerFleet.")
  String name;

  @Option(
      names = "--to-revision",
      defaultValue = "0",
      paramLabel = "N",
      description = "The revision to roll back to (default 0: the one before the current).")
  long toRevision;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long to wait for the operator (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Cluster cluster = KubectlSf.connect(spec)) {
      ServerFleet fleet = cluster.fleet(name);
      History history = History.of(name, cluster.revisions(fleet));
      var status = fleet.getStatus();
      History.UndoTarget target =
          history.undoTarget(
              status != null ? status.getCurrentRevision() : null,
              status != null && status.getRollout() != null ? status.getRollout().revision() : null,
              toRevision);
      if (target.alreadyCurrent()) {
        return print(
            Names.ref(name)
                + " skipped rollback (current template already matches revision "
                + target.number()
                + ")");
      }
      var events = rollbackEvents(cluster, fleet);
      Set<String> before =
          events.list().getItems().stream()
              .map(e -> e.getMetadata().getUid())
              .collect(Collectors.toSet());
      RolloutCommand.patch(cluster, name, annotation(Long.toString(target.number())));
      await(cluster.fleetResource(name).informOnCondition(UndoCommand::annotationGone), deadline);
      List<Event> after =
          await(events.informOnCondition(list -> answer(list, before).isPresent()), deadline);
      Event answer = answer(after, before).orElseThrow();
      if (REFUSED.equals(answer.getReason())) {
        throw CliError.of(answer.getMessage());
      }
      return print(Names.ref(name) + " rolled back");
    }
  }

  private static Map<String, Object> annotation(String value) {
    Map<String, Object> annotations = new HashMap<>();
    annotations.put(ServerFleet.ROLLBACK_TO, value);
    return Map.of("metadata", Map.of("annotations", annotations));
  }

  private static boolean annotationGone(List<ServerFleet> fleets) {
    return fleets.isEmpty()
        || fleets.get(0).getMetadata().getAnnotations() == null
        || !fleets.get(0).getMetadata().getAnnotations().containsKey(ServerFleet.ROLLBACK_TO);
  }

  private static FilterWatchListDeletable<Event, EventList, Resource<Event>> rollbackEvents(
      Cluster cluster, ServerFleet fleet) {
    return cluster
        .client()
        .v1()
        .events()
        .inNamespace(cluster.namespace())
        .withField("involvedObject.name", fleet.getMetadata().getName())
        .withField("involvedObject.uid", fleet.getMetadata().getUid());
  }

  /** The first RolledBack or RollbackRefused event that was not there before the request. */
  static Optional<Event> answer(List<Event> events, Set<String> before) {
    Predicate<Event> reason =
        e -> ROLLED_BACK.equals(e.getReason()) || REFUSED.equals(e.getReason());
    return events.stream()
        .filter(reason)
        .filter(e -> !before.contains(e.getMetadata().getUid()))
        .findFirst();
  }

  private <T> T await(CompletableFuture<T> condition, long deadline) throws InterruptedException {
    try {
      return condition.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw CliError.of(
          "timed out after "
              + timeout.toSeconds()
              + "s waiting for the operator to roll back "
              + Names.ref(name)
              + " (is serverfleet-operator running?); the request stays in the annotation "
              + ServerFleet.ROLLBACK_TO
              + " (kubectl annotate sf "
              + name
              + " "
              + ServerFleet.ROLLBACK_TO
              + "- withdraws it)");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } finally {
      condition.cancel(true);
    }
  }

  private int print(String line) {
    spec.commandLine().getOut().println(line);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
