package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf instances NAME}: the fleet's instances as the operator last saw them in EC2
 * (status.instances), with the revision by its number in the history where it still is there.
 */
@Command(name = "instances", description = "List the fleet's instances.")
final class InstancesCommand implements Callable<Integer> {
  static final String NONE = "<none>";

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "The ServerFleet.")
  String name;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    try (Cluster cluster = KubectlSf.connect(spec)) {
      ServerFleet fleet = cluster.fleet(name);
      List<InstanceStatus> instances =
          fleet.getStatus() != null ? fleet.getStatus().getInstances() : List.of();
      if (instances.isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "No instances found for "
                + Names.ref(name)
                + " in "
                + cluster.namespace()
                + " namespace.");
        err.flush();
        return 0;
      }
      History history = History.of(name, cluster.revisions(fleet));
      table(instances, history, clock.instant()).print(spec.commandLine().getOut());
      return 0;
    }
  }

  static Table table(List<InstanceStatus> instances, History history, Instant now) {
    Table table =
        new Table("ID", "STATE", "ZONE", "REVISION", "HEALTH", "READY", "PROTECTED", "AGE");
    for (InstanceStatus i : instances) {
      table.row(
          orNone(i.id()),
          orNone(i.state()),
          orNone(i.zone()),
          history.nameOf(i.revision()),
          orNone(i.health()),
          Boolean.toString(i.readySince() != null),
          Boolean.toString(Boolean.TRUE.equals(i.protectedInstance())),
          age(i.launchTime(), now));
    }
    return table;
  }

  static String age(String launchTime, Instant now) {
    if (launchTime == null) {
      return NONE;
    }
    try {
      return Durations.human(Duration.between(Instant.parse(launchTime), now));
    } catch (DateTimeParseException e) {
      return NONE;
    }
  }

  private static String orNone(String value) {
    return value == null || value.isEmpty() ? NONE : value;
  }
}
