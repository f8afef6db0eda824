package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A tag the instance puts on itself when it is ready to serve. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TagGate {
  @Required
  @Size(min = 1, max = FleetTemplate.MAX_TAG_KEY)
  @ValidationRule(
      value = "!self.startsWith('serverfleet.dev/') && !self.lowerAscii().startsWith('aws:')",
      message =
          "readinessGate.tag.key must not start with serverfleet.dev/ (the operator's) or aws:")
  @JsonPropertyDescription("Tag key, e.g. app/ready.")
  private String key;

  @Required
  @Size(max = FleetTemplate.MAX_TAG_VALUE)
  @JsonPropertyDescription("Tag value that means ready, e.g. \"true\".")
  private String value;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
