package dev.serverfleet.operator.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Reads one key of a Secret in a fleet's namespace, for a webhook header. */
@FunctionalInterface
public interface SecretReader {
  /** The value, or empty when the Secret or key does not exist. */
  Optional<String> read(String namespace, String name, String key);

  /** From the API server; the operator needs get on that Secret (see the chart's values). */
  static SecretReader of(KubernetesClient client) {
    return (namespace, name, key) -> {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      if (s == null) {
        return Optional.empty();
      }
      if (s.getData() != null && s.getData().containsKey(key)) {
        return Optional.of(
            new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
      }
      return s.getStringData() == null
          ? Optional.empty()
          : Optional.ofNullable(s.getStringData().get(key));
    };
  }
}
