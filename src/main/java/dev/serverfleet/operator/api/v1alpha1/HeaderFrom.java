package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A request header whose value is read from a Secret at call time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeaderFrom {
  @Required
  @Size(max = 128)
  @Pattern("^[A-Za-z0-9-]+$")
  @JsonPropertyDescription("Name of the header, e.g. Authorization.")
  private String headerName;

  @Required
  @JsonPropertyDescription("The Secret key, in the fleet's namespace, holding the header value.")
  private SecretKeyRef secretKeyRef;

  public String getHeaderName() {
    return headerName;
  }

  public void setHeaderName(String headerName) {
    this.headerName = headerName;
  }

  public SecretKeyRef getSecretKeyRef() {
    return secretKeyRef;
  }

  public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
    this.secretKeyRef = secretKeyRef;
  }

  /** A key of a Secret in the fleet's own namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretKeyRef {
    @Required
    @Size(max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("Name of the Secret (in the fleet's namespace).")
    private String name;

    @Required
    @Size(max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @JsonPropertyDescription("Key within the Secret.")
    private String key;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }
  }
}
