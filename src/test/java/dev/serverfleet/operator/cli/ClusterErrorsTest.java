package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** API and connection failures in kubectl's words. */
class ClusterErrorsTest {
  @Test
  void anApiErrorNamesItsReason() {
    var e =
        new KubernetesClientException(
            new StatusBuilder()
                .withReason("Forbidden")
                .withMessage(
                    "serverfleets.serverfleet.dev \"web\" is forbidden: User \"dev\" cannot get resource")
                .withCode(403)
                .build());

    assertThat(Cluster.describe(e, "https://127.0.0.1:6443").getMessage())
        .isEqualTo(
            "Error from server (Forbidden): serverfleets.serverfleet.dev \"web\" is forbidden: User \"dev\" cannot get resource");
  }

  @Test
  void aRefusedConnectionAsKubectlSaysIt() {
    var e =
        new KubernetesClientException(
            "An error has occurred.", new IOException(new ConnectException("Connection refused")));

    assertThat(Cluster.describe(e, "https://127.0.0.1:6443").getMessage())
        .isEqualTo(
            "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?");
  }

  @Test
  void anyOtherFailureWithItsRootCause() {
    var e =
        new KubernetesClientException(
            "An error has occurred.", new IOException("PKIX path building failed"));

    assertThat(Cluster.describe(e, "https://api.example.com").getMessage())
        .isEqualTo(
            "error: could not reach the Kubernetes API server api.example.com: PKIX path building failed");
  }
}
