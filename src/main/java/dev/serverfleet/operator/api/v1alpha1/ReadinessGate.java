package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** When a running instance counts as ready: once it says so. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReadinessGate {
  @Required
  @JsonPropertyDescription(
      "The instance marks itself ready by tagging itself with this key and value (from user data,"
          + " with an instance profile allowed ec2:CreateTags on itself for that key). Until then"
          + " it is neither ready nor available, and healthCheck.gracePeriodSeconds after launch"
          + " it is replaced.")
  private TagGate tag;

  public TagGate getTag() {
    return tag;
  }

  public void setTag(TagGate tag) {
    this.tag = tag;
  }
}
