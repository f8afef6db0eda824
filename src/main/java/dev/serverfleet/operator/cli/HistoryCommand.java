package dev.serverfleet.operator.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf rollout history NAME [--revision=N]}: the fleet's revisions (its
 * ControllerRevisions) as a table, oldest first, the current one marked; or one revision's template
 * as YAML.
 */
@Command(name = "history", description = "Show the fleet's revisions, or one revision's template.")
final class HistoryCommand implements Callable<Integer> {
  static final String NONE = "<none>";

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "The ServerFleet.")
  String name;

  @Option(
      names = "--revision",
      defaultValue = "0",
      paramLabel = "N",
      description = "Show the template of this revision.")
  long revision;

  @Override
  public Integer call() {
    try (Cluster cluster = KubectlSf.connect(spec)) {
      ServerFleet fleet = cluster.fleet(name);
      History history = History.of(name, cluster.revisions(fleet));
      PrintWriter out = spec.commandLine().getOut();
      if (revision != 0) {
        History.Entry entry =
            history
                .byNumber(revision)
                .orElseThrow(() -> CliError.of("unable to find the specified revision"));
        printRevision(out, entry);
        return 0;
      }
      out.println(Names.ref(name));
      if (history.entries().isEmpty()) {
        out.println("No rollout history found.");
        out.flush();
        return 0;
      }
      table(history, fleet.getStatus()).print(out);
      return 0;
    }
  }

  /** The table, the current revision marked {@code (current)}. */
  static Table table(History history, ServerFleetStatus status) {
    String current = status != null ? status.getCurrentRevision() : null;
    Table table =
        new Table("REVISION", "HASH", "AMI", "INSTANCE-TYPE", "COMPLETED", "CHANGE-CAUSE");
    for (History.Entry e : history.entries()) {
      boolean isCurrent = e.hash().equals(current);
      table.row(
          e.number() + (isCurrent ? " (current)" : ""),
          e.hash(),
          orNone(e.template().getAmiId()),
          orNone(instanceTypes(e.template())),
          completed(e),
          e.annotation(FleetRevisions.CHANGE_CAUSE).orElse(NONE));
    }
    return table;
  }

  /** The single type, or the ordered list joined by commas. */
  private static String instanceTypes(dev.serverfleet.operator.api.v1alpha1.FleetTemplate t) {
    return t.getInstanceTypes() == null || t.getInstanceTypes().isEmpty()
        ? t.getInstanceType()
        : String.join(",", t.getInstanceTypes());
  }

  private static String completed(History.Entry e) {
    return e.annotation(FleetRevisions.COMPLETED_AT)
        .orElse(e.annotation(FleetRevisions.ROLLED_BACK).isPresent() ? "<rolled back>" : NONE);
  }

  private void printRevision(PrintWriter out, History.Entry e) {
    out.println(Names.ref(name) + " with revision #" + e.number());
    out.println("Hash:          " + e.hash());
    out.println("Change-cause:  " + e.annotation(FleetRevisions.CHANGE_CAUSE).orElse(NONE));
    out.println("Completed:     " + e.annotation(FleetRevisions.COMPLETED_AT).orElse(NONE));
    e.annotation(FleetRevisions.ROLLED_BACK).ifPresent(r -> out.println("Rolled back:   " + r));
    if (e.data() != null && e.data().restartedAt() != null) {
      out.println("Restarted at:  " + e.data().restartedAt());
    }
    out.println("Template:");
    yaml(e.template()).lines().forEach(line -> out.println("  " + line));
    out.flush();
  }

  /** YAML as kubectl prints it: no document marker, quotes only where YAML needs them. */
  static String yaml(Object value) {
    YAMLMapper mapper =
        YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
            .build();
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a template as YAML", e);
    }
  }

  private static String orNone(String value) {
    return value == null || value.isEmpty() ? NONE : value;
  }
}
