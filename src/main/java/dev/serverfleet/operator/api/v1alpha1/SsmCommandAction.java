package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/** An SSM Run Command document sent to the instance being drained. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SsmCommandAction {
  public static final int MAX_TIMEOUT_SECONDS = 3600;

  @Required
  @Size(max = 128)
  @Pattern("^[a-zA-Z0-9_.\\-]{3,128}$")
  @JsonPropertyDescription(
      "SSM document to run, e.g. AWS-RunShellScript; the operator's IAM policy must allow it.")
  private String documentName;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Document parameters, e.g. {commands: [\"systemctl stop worker\"]} for AWS-RunShellScript.")
  private Map<String, List<String>> parameters;

  @Min(30)
  @Max(MAX_TIMEOUT_SECONDS)
  @JsonPropertyDescription(
      "Seconds the command may take, counted from its start across operator restarts; then "
          + "defaultResult applies. 30 to 3600 (SSM's minimum is 30), default 300.")
  private Integer timeoutSeconds;

  public String getDocumentName() {
    return documentName;
  }

  public void setDocumentName(String documentName) {
    this.documentName = documentName;
  }

  public Map<String, List<String>> getParameters() {
    return parameters;
  }

  public void setParameters(Map<String, List<String>> parameters) {
    this.parameters = parameters;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }
}
