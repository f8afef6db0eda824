package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A drain service the user runs, called over HTTPS. The URL rules keep the operator from being
 * pointed at what only it can reach: the instance metadata service, link-local and loopback
 * addresses, the cluster's own services. The operator checks the resolved addresses again before
 * every call (controller/WebhookCalls).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookAction {
  public static final int MAX_TIMEOUT_SECONDS = 3600;

  /** What follows the host: a port, then a path, query or fragment, or nothing. */
  private static final String REST = "(:[0-9]{1,5})?([/?#].*)?$";

  @Required
  @Size(max = 1024)
  @ValidationRule(
      value = "self.matches('^https://[^/?#@\\\\s]+([/?#]\\\\S*)?$')",
      message = "webhook.url must be an absolute https:// URL with a host (and no user info)")
  @ValidationRule(
      value =
          "!self.matches('(?i)^https://(127\\\\.[0-9.]+|169\\\\.254\\\\.[0-9.]+|0+(\\\\.0+){0,3}"
              + "|[0-9]+|0x[0-9a-f]+|\\\\[(::1?|0*:0*:0*:0*:0*:0*:0*:0*1?|fe[89ab][0-9a-f]:[^\\\\]]*"
              + "|fd00:ec2::254|::ffff:[^\\\\]]*)\\\\])"
              + REST
              + "')",
      message =
          "webhook.url must not point at a loopback, link-local (169.254.0.0/16, fe80::/10) or "
              + "instance metadata address")
  @ValidationRule(
      value =
          "!self.matches('(?i)^https://(localhost|[^/?#]*\\\\.localhost|[^/?#]*\\\\.svc"
              + "|[^/?#]*\\\\.cluster\\\\.local|[^/?#]*\\\\.internal|instance-data(\\\\.[^/?#:]*)?)\\\\.?"
              + REST
              + "')",
      message =
          "webhook.url must not name localhost, the metadata service or a cluster-internal "
              + "name (*.svc, *.cluster.local, *.internal)")
  @JsonPropertyDescription(
      "HTTPS URL of the drain service (never the instance's own address). Refused: http, "
          + "loopback, link-local and metadata addresses, *.svc, *.cluster.local, *.internal.")
  private String url;

  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  @JsonPropertyDescription(
      "Seconds the drain may take, counted from its start across retries and operator "
          + "restarts; then defaultResult applies. 1 to 3600, default 60.")
  private Integer timeoutSeconds;

  @JsonPropertyDescription(
      "A header whose value comes from a Secret in the fleet's namespace (an auth token); "
          + "never written in the spec.")
  private HeaderFrom headerFrom;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  public HeaderFrom getHeaderFrom() {
    return headerFrom;
  }

  public void setHeaderFrom(HeaderFrom headerFrom) {
    this.headerFrom = headerFrom;
  }
}
