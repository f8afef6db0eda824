package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf rollout}: status, history and undo in their own classes; pause, resume and
 * restart here, each one merge patch, with kubectl's wording and exit codes.
 */
@Command(
    name = "rollout",
    description = "Manage the rollout of a ServerFleet.",
    subcommands = {StatusCommand.class, HistoryCommand.class, UndoCommand.class})
final class RolloutCommand implements Runnable {
  @Spec CommandSpec spec;

  Clock clock = Clock.systemUTC();

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "pause",
      description = "Set spec.paused: the fleet's rollouts stop where they are (scaling goes on).")
  int pause(@Parameters(paramLabel = "NAME") String name) {
    try (Cluster cluster = KubectlSf.connect(spec)) {
      if (paused(cluster.fleet(name))) {
        throw CliError.of(Names.quoted(name) + " is already paused");
      }
      patch(cluster, name, Map.of("spec", Map.of("paused", true)));
      return done(name, "paused");
    }
  }

  @Command(name = "resume", description = "Clear spec.paused: rollouts go on.")
  int resume(@Parameters(paramLabel = "NAME") String name) {
    try (Cluster cluster = KubectlSf.connect(spec)) {
      if (!paused(cluster.fleet(name))) {
        throw CliError.of(Names.quoted(name) + " is not paused");
      }
      patch(cluster, name, Map.of("spec", Map.of("paused", false)));
      return done(name, "resumed");
    }
  }

  @Command(
      name = "restart",
      description =
          "Replace every instance: sets the annotation "
              + ServerFleet.RESTARTED_AT
              + " to now, which makes a new revision.")
  int restart(@Parameters(paramLabel = "NAME") String name) {
    try (Cluster cluster = KubectlSf.connect(spec)) {
      if (paused(cluster.fleet(name))) {
        throw CliError.of(
            Names.quoted(name) + " can't restart paused serverfleet (run rollout resume first)");
      }
      String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
      patch(
          cluster,
          name,
          Map.of("metadata", Map.of("annotations", Map.of(ServerFleet.RESTARTED_AT, now))));
      return done(name, "restarted");
    }
  }

  private static boolean paused(ServerFleet fleet) {
    return fleet.getSpec() != null && Boolean.TRUE.equals(fleet.getSpec().getPaused());
  }

  static void patch(Cluster cluster, String name, Map<String, Object> mergePatch) {
    String json = cluster.client().getKubernetesSerialization().asJson(mergePatch);
    cluster.fleetResource(name).patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private int done(String name, String what) {
    spec.commandLine().getOut().println(Names.ref(name) + " " + what);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
