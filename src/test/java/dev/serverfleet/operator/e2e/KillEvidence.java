package dev.serverfleet.operator.e2e;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.OperatorProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What {@link LaunchLedgerKillE2E} saw, written to {@link #FILE} whether it passes or not: the
 * rounds, every RunInstances and TerminateInstances through the proxy, every instance ever
 * launched, and the operators' own log lines (their events: launches, lookups, terminations).
 */
final class KillEvidence {
  static final Path FILE = Path.of("target", "launch-ledger-kill-e2e.txt");

  private final List<String> lines = new ArrayList<>();
  private final List<OperatorProcess> operators = new ArrayList<>();

  void line(String line) {
    lines.add(Instant.now() + " " + line);
  }

  /** Each operator started, in order, for its log. */
  void started(OperatorProcess operator) {
    operators.add(operator);
  }

  List<OperatorProcess> operators() {
    return List.copyOf(operators);
  }

  void calls(List<Ec2Call> calls) {
    lines.add("--- RunInstances and TerminateInstances through the proxy, by arrival");
    calls.stream()
        .filter(c -> !c.action().startsWith("Describe"))
        .sorted(Comparator.comparing(Ec2Call::start))
        .forEach(
            c ->
                lines.add(
                    String.format(
                        "%s %-18s %-34s %-14s http %3d upstream %-5s minCount %d took %d ms %s",
                        c.start(),
                        c.action(),
                        c.clientToken() == null ? "" : c.clientToken(),
                        c.outcome(),
                        c.status(),
                        c.upstream(),
                        c.minCount(),
                        c.duration().toMillis(),
                        c.instanceIds().isEmpty() ? "" : c.instanceIds())));
  }

  void instances(List<Instance> instances) {
    lines.add("--- instances ever launched under the cluster name");
    instances.stream()
        .sorted(
            Comparator.comparing(
                Instance::launchTime, Comparator.nullsLast(Comparator.naturalOrder())))
        .forEach(
            i ->
                lines.add(
                    String.format(
                        "%s %-20s %-13s %s %s rev %s launch %s",
                        i.launchTime(),
                        i.id(),
                        i.state(),
                        i.imageId(),
                        i.subnetId(),
                        i.tag(OwnershipTags.REVISION),
                        i.tag(OwnershipTags.LAUNCH))));
  }

  void write() throws IOException {
    lines.add("--- operator logs: the operator's own lines (its events) and errors");
    for (int n = 0; n < operators.size(); n++) {
      lines.add("operator " + (n + 1));
      operators
          .get(n)
          .log()
          .lines()
          .filter(
              l ->
                  !l.contains("|-")
                      && (l.contains(" d.s.o.") || l.contains("ERROR") || l.contains("Exception")))
          .forEach(l -> lines.add("  " + l));
    }
    Files.write(FILE, lines);
  }

  static String describe(ServerFleet f) {
    if (f == null || f.getStatus() == null) {
      return "none";
    }
    ServerFleetStatus s = f.getStatus();
    return "generation "
        + f.getMetadata().getGeneration()
        + " observed "
        + s.getObservedGeneration()
        + ", replicas "
        + s.getReplicas()
        + " ready "
        + s.getReadyReplicas()
        + " updated "
        + s.getUpdatedReplicas()
        + ", revision "
        + s.getCurrentRevision()
        + ", intents "
        + s.getLaunchIntents()
        + ", conditions "
        + s.getConditions().stream()
            .map(
                c ->
                    c.getType() + "=" + c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
            .toList();
  }
}
