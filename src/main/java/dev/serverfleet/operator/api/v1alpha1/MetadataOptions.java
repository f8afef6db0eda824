package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Instance metadata service settings. IMDSv2 (tokens required) unless the user says otherwise. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetadataOptions {
  @JsonPropertyDescription(
      "required (IMDSv2 only, the default) or optional (IMDSv1 allowed: not recommended).")
  private HttpTokens httpTokens;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription(
      "Hop limit for metadata PUT responses, 1 to 64; default 2 so containers on the instance reach IMDS.")
  private Integer httpPutResponseHopLimit;

  public HttpTokens getHttpTokens() {
    return httpTokens;
  }

  public void setHttpTokens(HttpTokens httpTokens) {
    this.httpTokens = httpTokens;
  }

  public Integer getHttpPutResponseHopLimit() {
    return httpPutResponseHopLimit;
  }

  public void setHttpPutResponseHopLimit(Integer httpPutResponseHopLimit) {
    this.httpPutResponseHopLimit = httpPutResponseHopLimit;
  }
}
