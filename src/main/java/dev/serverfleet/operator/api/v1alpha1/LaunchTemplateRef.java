package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An EC2 launch template the fleet launches from, by ID or name, at a version. Every other field of
 * the fleet's template that is set overrides the launch template's value, as with Auto Scaling
 * groups; the version ($Latest, $Default) is resolved to its number, which is part of the revision.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.id) != has(self.name)",
    message = "launchTemplate must set exactly one of id (lt-...) and name")
public class LaunchTemplateRef {
  /** EC2's default version when none is given, as RunInstances takes it. */
  public static final String DEFAULT_VERSION = "$Default";

  public static final String LATEST_VERSION = "$Latest";

  @Size(max = 20)
  @ValidationRule(
      value = "self.matches('^lt-([0-9a-f]{8}|[0-9a-f]{17})$')",
      message =
          "launchTemplate.id must be 'lt-' followed by 17 (or 8) lowercase hex digits, e.g."
              + " lt-0abcdef1234567890")
  @JsonPropertyDescription(
      "ID of the launch template, e.g. lt-0abcdef1234567890. Set this or name, not both.")
  private String id;

  @Size(min = 3, max = 128)
  @ValidationRule(
      value = "self.matches('^[a-zA-Z0-9()./_-]+$')",
      message =
          "launchTemplate.name must be 3 to 128 letters, digits and ( ) . - / _ (EC2's rule for"
              + " launch template names)")
  @JsonPropertyDescription(
      "Name of the launch template (3 to 128 letters, digits and ( ) . - / _). Set this or id,"
          + " not both.")
  private String name;

  @Size(max = 20)
  @ValidationRule(
      value = "self == '$Latest' || self == '$Default' || self.matches('^[1-9][0-9]{0,17}$')",
      message = "launchTemplate.version must be a version number (1, 2, ...), $Latest or $Default")
  @JsonPropertyDescription(
      "Version: a number, $Latest or $Default (the default, as in EC2). $Latest and $Default are"
          + " resolved to a number on every poll; when they move to a new version, that is a new"
          + " revision and a rollout (held while spec.paused).")
  private String version;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }
}
