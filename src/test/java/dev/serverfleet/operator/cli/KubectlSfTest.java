package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line as kubectl hands it over: flags anywhere, kubectl's defaults and errors. */
class KubectlSfTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CommandLine cl = KubectlSf.commandLine(new PrintWriter(out), new PrintWriter(err));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-n shop --context prod --kubeconfig /k rollout status web",
        "rollout -n shop status web --context=prod --kubeconfig=/k",
        "rollout status web -n shop --context prod --kubeconfig /k",
        "rollout status --namespace=shop web --kubeconfig /k --context prod",
        "rollout status -nshop --context=prod web --kubeconfig=/k",
      })
  void globalFlagsAnywhere(String args) {
    ParseResult parsed = cl.parseArgs(args.split(" "));

    KubectlSf root = cl.getCommand();
    assertThat(root.namespace).isEqualTo("shop");
    assertThat(root.context).isEqualTo("prod");
    assertThat(root.kubeconfig).isEqualTo("/k");
    StatusCommand status = leaf(parsed).getCommand();
    assertThat(status.name).isEqualTo("web");
  }

  @Test
  void statusWatchesForeverByDefault() {
    StatusCommand status = leaf(cl.parseArgs("rollout", "status", "web")).getCommand();
    assertThat(status.watch).isTrue();
    assertThat(status.timeout).isZero();
    assertThat(((KubectlSf) cl.getCommand()).namespace).isNull();
  }

  @Test
  void statusFlagsInKubectlForms() {
    StatusCommand status =
        leaf(cl.parseArgs("rollout", "status", "web", "--watch=false", "--timeout=1m30s"))
            .getCommand();
    assertThat(status.watch).isFalse();
    assertThat(status.timeout).isEqualTo(Duration.ofSeconds(90));
    StatusCommand bare = leaf(newCl().parseArgs("rollout", "status", "-w", "web")).getCommand();
    assertThat(bare.watch).isTrue();
  }

  @Test
  void undoAndHistoryFlags() {
    UndoCommand undo = leaf(cl.parseArgs("rollout", "undo", "web", "--to-revision=3")).getCommand();
    assertThat(undo.toRevision).isEqualTo(3);
    assertThat(undo.timeout).isEqualTo(Duration.ofSeconds(60));
    HistoryCommand history =
        leaf(newCl().parseArgs("rollout", "history", "web", "--revision", "2")).getCommand();
    assertThat(history.revision).isEqualTo(2);
  }

  @Test
  void aBadFlagIsExitOneWithKubectlsWording() {
    int code = cl.execute("rollout", "status", "web", "--timeout=soon");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "error: Invalid value for option '--timeout': invalid duration \"soon\" (examples: 30s, 5m, 1h30m)",
            "See 'kubectl sf rollout status --help' for usage.");
  }

  @Test
  void aMissingNameIsExitOne() {
    assertThat(cl.execute("instances")).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: Missing required parameter: 'NAME'");
  }

  @Test
  void helpListsTheCommands() {
    assertThat(cl.execute("--help")).isZero();
    assertThat(out.toString()).contains("rollout", "instances", "--namespace", "--context");
    out.getBuffer().setLength(0);
    assertThat(cl.execute("rollout", "--help")).isZero();
    assertThat(out.toString()).contains("status", "history", "undo", "pause", "resume", "restart");
  }

  private CommandLine newCl() {
    return KubectlSf.commandLine(new PrintWriter(out), new PrintWriter(err));
  }

  private static CommandLine leaf(ParseResult parsed) {
    List<CommandLine> path = parsed.asCommandLineList();
    return path.get(path.size() - 1);
  }
}
