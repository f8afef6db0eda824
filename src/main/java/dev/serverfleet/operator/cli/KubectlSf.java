package dev.serverfleet.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl sf}: rollouts and instances of ServerFleets, as {@code kubectl rollout} shows
 * Deployments. kubectl runs it as the plugin {@code kubectl-sf} on the PATH and passes every
 * argument after {@code sf} verbatim, so {@code -n}, {@code --context} and {@code --kubeconfig} are
 * accepted anywhere on the command line (inherited by every subcommand).
 *
 * <p>Exit codes as kubectl's: 0 done, 1 any error (including a bad flag).
 */
@Command(
    name = "kubectl sf",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = KubectlSf.Version.class,
    usageHelpAutoWidth = true,
    description = "Rollouts and instances of ServerFleets (serverfleet.dev/v1alpha1).",
    subcommands = {RolloutCommand.class, InstancesCommand.class})
public final class KubectlSf implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      paramLabel = "NAMESPACE",
      description = "Namespace of the fleet (default: the context's namespace, else default).")
  String namespace;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "CONTEXT",
      description = "The kubeconfig context to use.")
  String context;

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  String kubeconfig;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, false, StandardCharsets.UTF_8);
    int code = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** The command line, writing to {@code out} and {@code err}, with kubectl's error handling. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new KubectlSf());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(
        (e, args) -> {
          var cmd = e.getCommandLine();
          cmd.getErr().println("error: " + e.getMessage());
          cmd.getErr()
              .println("See '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
          return 1;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          CliError error = e instanceof KubernetesClientException k ? Cluster.describe(k) : null;
          if (e instanceof CliError c) {
            error = c;
          }
          if (error == null) {
            throw e;
          }
          cmd.getErr().println(error.getMessage());
          return 1;
        });
    return cl;
  }

  /** Connects as the inherited options say; for the subcommands. */
  static Cluster connect(CommandSpec spec) {
    KubectlSf root = (KubectlSf) spec.root().userObject();
    return Cluster.connect(root.kubeconfig, root.context, root.namespace);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest (Implementation-Version), when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KubectlSf.class.getPackage().getImplementationVersion();
      return new String[] {"kubectl-sf " + (v != null ? v : "(development build)")};
    }
  }
}
