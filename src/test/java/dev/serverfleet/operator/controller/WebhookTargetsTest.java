package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The check made before every webhook call, on IP literals (no DNS needed): only https to a public
 * address passes; the test-only loopback redirect applies to its host alone.
 */
class WebhookTargetsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://169.254.169.254/latest/meta-data",
        "https://169.254.10.1/drain",
        "https://[fe80::1]/drain",
        "https://[fd00:ec2::254]/drain",
        "https://127.0.0.1/drain",
        "https://[::1]/drain",
        "https://10.0.0.5/drain",
        "https://172.16.3.4/drain",
        "https://192.168.1.1/drain",
        "https://0.0.0.0/drain",
        "https://2852039166/drain",
        "https://224.0.0.1/drain",
        "http://93.184.216.34/drain",
        "https:///no-host",
        "not a url"
      })
  void refused(String url) {
    assertThat(WebhookTargets.STRICT.check(url)).isInstanceOf(WebhookTargets.Refused.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://93.184.216.34/drain", "https://[2606:4700::1111]:8443/d?x=1"})
  void aPublicHttpsAddressIsAllowedAsWritten(String url) {
    assertThat(WebhookTargets.STRICT.check(url))
        .isEqualTo(new WebhookTargets.Allowed(URI.create(url)));
  }

  @Test
  void theTestOnlyRedirectSendsItsHostToLoopbackAndNothingElse() {
    WebhookTargets targets =
        new WebhookTargets(Map.of("drain.example.test", URI.create("http://127.0.0.1:9999/")));
    assertThat(targets.check("https://drain.example.test/drain-2000"))
        .isEqualTo(new WebhookTargets.Allowed(URI.create("http://127.0.0.1:9999/drain-2000")));
    assertThat(targets.check("https://127.0.0.1:9999/drain"))
        .isInstanceOf(WebhookTargets.Refused.class);
  }
}
