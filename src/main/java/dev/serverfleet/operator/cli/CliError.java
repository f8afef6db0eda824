package dev.serverfleet.operator.cli;

/**
 * A failure the plugin reports as kubectl does: one line on stderr (such as {@code error: ...} or
 * {@code Error from server (NotFound): ...}) and exit code 1.
 */
final class CliError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private CliError(String line) {
    super(line, null, false, false);
  }

  /** {@code error: <message>}. */
  static CliError of(String message) {
    return new CliError("error: " + message);
  }

  /** A line printed as is. */
  static CliError line(String line) {
    return new CliError(line);
  }

  static CliError fleetNotFound(String name) {
    return new CliError(
        "Error from server (NotFound): " + Names.RESOURCE + " \"" + name + "\" not found");
  }
}
