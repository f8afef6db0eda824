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

  private static final String HOST = "url(self).getHostname().lowerAscii()";

  @Required
  @Size(max = 2048)
  @ValidationRule(
      value = "isURL(self) && url(self).getScheme() == 'https' && " + HOST + " != ''",
      message = "webhook.url must be an absolute https:// URL with a host")
  @ValidationRule(
      value = "!isURL(self) || !" + HOST + ".contains(':') || isIP(" + HOST + ")",
      message = "webhook.url must name its IPv6 host in plain form (no IPv4-mapped address)")
  @ValidationRule(
      value =
          "!isURL(self) || !isIP("
              + HOST
              + ") || !(ip("
              + HOST
              + ").isLoopback() || ip("
              + HOST
              + ").isLinkLocalUnicast() || ip("
              + HOST
              + ").isUnspecified() || ip("
              + HOST
              + ").isLinkLocalMulticast() || "
              + HOST
              + " == 'fd00:ec2::254')",
      message =
          "webhook.url must not point at a loopback, link-local (169.254.0.0/16, fe80::/10) or "
              + "instance metadata address")
  @ValidationRule(
      value =
          "!isURL(self) || !("
              + HOST
              + " == 'localhost' || "
              + HOST
              + ".endsWith('.localhost') || "
              + HOST
              + ".endsWith('.svc') || "
              + HOST
              + ".endsWith('.cluster.local') || "
              + HOST
              + ".endsWith('.internal') || "
              + HOST
              + " == 'instance-data' || "
              + HOST
              + ".startsWith('instance-data.'))",
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
