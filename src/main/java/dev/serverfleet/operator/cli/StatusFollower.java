package dev.serverfleet.operator.cli;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cli.RolloutStatusViewer.Verdict;
import java.io.PrintWriter;
import java.util.OptionalInt;

/**
 * Follows one fleet's rollout through the versions of it a watch delivers: prints a line whenever
 * the status viewer's verdict changes (never the same line twice in a row), and ends with exit code
 * 0 when the rollout is done or 1 when it failed or the fleet was deleted.
 */
final class StatusFollower {
  private final PrintWriter out;
  private final PrintWriter err;
  private String last;

  StatusFollower(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /** Shows this version of the fleet; the exit code once the wait is over, else empty. */
  OptionalInt accept(ServerFleet fleet) {
    Verdict verdict = RolloutStatusViewer.view(fleet);
    if (verdict.failed()) {
      err.println("error: " + verdict.message());
      err.flush();
      return OptionalInt.of(1);
    }
    if (!verdict.message().equals(last)) {
      out.println(verdict.message());
      out.flush();
      last = verdict.message();
    }
    return verdict.done() ? OptionalInt.of(0) : OptionalInt.empty();
  }

  /** The fleet is gone while we waited. */
  int deleted(String name) {
    err.println("error: serverfleet \"" + name + "\" was deleted");
    err.flush();
    return 1;
  }
}
