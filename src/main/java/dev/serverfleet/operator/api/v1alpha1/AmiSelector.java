package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * Where a fleet's AMI comes from when it is not pinned by {@code amiId}: an SSM parameter whose
 * value is an AMI ID (the way AWS publishes its latest Amazon Linux and Bottlerocket images), or
 * the newest image (by CreationDate) that matches a name, owners and tags, as DescribeImages finds
 * it. Looked up once per refresh period for every fleet that shares the selector; a new answer is a
 * new revision and a rollout (held while paused).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.ssmParameter) ? !has(self.name) && !has(self.owners) && !has(self.tags)"
            + " : has(self.name) || has(self.tags)",
    message =
        "amiSelector must give either ssmParameter alone, or name and/or tags (optionally with "
            + "owners)")
public class AmiSelector {
  public static final int MAX_OWNERS = 10;

  @Size(max = 2048)
  @Pattern("^/?[A-Za-z0-9_.\\-/]+$")
  @JsonPropertyDescription(
      "Name of an SSM parameter (String type) whose value is an AMI ID, e.g. "
          + "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64. The operator's "
          + "IAM policy allows /aws/service/* and /serverfleet/*.")
  private String ssmParameter;

  @Size(max = 128)
  @JsonPropertyDescription(
      "Image name to match, as DescribeImages' name filter: * matches any characters and ? one, "
          + "e.g. al2023-ami-2023.*-x86_64. The newest matching image (CreationDate) wins.")
  private String name;

  @Size(min = 1, max = MAX_OWNERS)
  @JsonPropertyDescription(
      "Accounts whose images may match: 12-digit account IDs, self, amazon or aws-marketplace. "
          + "Omitted: any image the operator's account can launch.")
  private List<@Size(max = 15) @Pattern("^([0-9]{12}|self|amazon|aws-marketplace)$") String> owners;

  @Size(min = 1, max = TagSelector.MAX_TAGS)
  @ValidationRule(
      value = "self.all(k, k.size() > 0 && k.size() <= " + FleetTemplate.MAX_TAG_KEY + ")",
      message = "amiSelector.tags keys must have 1 to " + FleetTemplate.MAX_TAG_KEY + " characters")
  @JsonPropertyDescription(
      "Tags the image must all carry; a value of * matches any value of the key.")
  private Map<String, @Size(max = FleetTemplate.MAX_TAG_VALUE) String> tags;

  public String getSsmParameter() {
    return ssmParameter;
  }

  public void setSsmParameter(String ssmParameter) {
    this.ssmParameter = ssmParameter;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public List<String> getOwners() {
    return owners;
  }

  public void setOwners(List<String> owners) {
    this.owners = owners;
  }

  public Map<String, String> getTags() {
    return tags;
  }

  public void setTags(Map<String, String> tags) {
    this.tags = tags;
  }
}
