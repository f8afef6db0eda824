package dev.serverfleet.operator.cli;

/** How the plugin names a ServerFleet in its output, in kubectl's forms. */
final class Names {
  /** The resource as API errors name it: {@code serverfleets.serverfleet.dev "web" not found}. */
  static final String RESOURCE = "serverfleets.serverfleet.dev";

  private Names() {}

  /**
   * The kind and name as kubectl's rollout commands print it: {@code
   * serverfleet.serverfleet.dev/web}.
   */
  static String ref(String name) {
    return "serverfleet.serverfleet.dev/" + name;
  }

  /** As in an error about the object: {@code serverfleets.serverfleet.dev "web"}. */
  static String quoted(String name) {
    return RESOURCE + " \"" + name + "\"";
  }
}
