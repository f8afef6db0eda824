package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/**
 * EC2 resources chosen by their tags, as {@code subnetSelector} and {@code securityGroupSelector}:
 * a resource matches when it carries every tag given (a value {@code *} matches any value of the
 * key). The operator looks the selection up once per refresh period for all fleets that share it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TagSelector {
  /** Enough to say "this VPC, this tier"; bounded so the CEL rules below stay cheap. */
  public static final int MAX_TAGS = 8;

  @Required
  @Size(min = 1, max = MAX_TAGS)
  @ValidationRule(
      value = "self.all(k, k.size() > 0 && k.size() <= " + FleetTemplate.MAX_TAG_KEY + ")",
      message = "selector tag keys must have 1 to " + FleetTemplate.MAX_TAG_KEY + " characters")
  @JsonPropertyDescription(
      "Tags the resource must all carry (1 to "
          + MAX_TAGS
          + "); a value of * matches any value of the key, e.g. {\"kubernetes.io/role/internal-elb\": \"*\"}.")
  private Map<String, @Size(max = FleetTemplate.MAX_TAG_VALUE) String> tags;

  public TagSelector() {}

  public TagSelector(Map<String, String> tags) {
    this.tags = tags;
  }

  public Map<String, String> getTags() {
    return tags;
  }

  public void setTags(Map<String, String> tags) {
    this.tags = tags;
  }
}
