package dev.serverfleet.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.cloud.Ec2Buckets;
import dev.serverfleet.operator.cloud.Ec2Buckets.Bucket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {

  @Test
  void defaultsNeedOnlyARegion() {
    OperatorConfig c = OperatorConfig.parse(new String[0], Map.of("AWS_REGION", "eu-west-1"));

    assertThat(c.clusterName()).isEqualTo("default");
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.ec2Endpoint()).isEmpty();
    assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.namespaces()).isEmpty();
    assertThat(c.managementPort()).isEqualTo(8080);
    assertThat(c.sdkRetries()).isTrue();
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.leaseName()).isEqualTo("serverfleet-operator");
    assertThat(c.leaseNamespace()).isEmpty();
    assertThat(c.labelSelector()).isEmpty();
    assertThat(c.logFormat()).isEqualTo("plain");
    assertThat(c.fastPollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.ec2RateLimits()).as("EC2's defaults").contains(Ec2Buckets.EC2_DEFAULTS);
    assertThat(c.interruptionQueue()).as("no queue unless named").isEmpty();
  }

  @Test
  void theInterruptionQueueComesFromTheFlagOrTheEnvironment() {
    String url = "https://sqs.eu-west-1.amazonaws.com/123456789012/serverfleet-interruptions";
    Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "SF_INTERRUPTION_QUEUE", url);
    assertThat(OperatorConfig.parse(new String[0], env).interruptionQueue()).contains(url);
    assertThat(
            OperatorConfig.parse(new String[] {"--interruption-queue="}, env).interruptionQueue())
        .as("an empty flag turns it off")
        .isEmpty();
  }

  @Test
  void ec2RateLimitsCanBeTurnedOff() {
    Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "SF_EC2_RATE_LIMITS", "false");
    assertThat(OperatorConfig.parse(new String[0], env).ec2RateLimits()).isEmpty();
    assertThat(OperatorConfig.parse(new String[] {"--ec2-rate-limits=true"}, env).ec2RateLimits())
        .contains(Ec2Buckets.EC2_DEFAULTS);
  }

  @Test
  void ec2RateLimitsTakeAnAccountsRaisedLimitsClassByClass() {
    Map<String, String> env =
        Map.of("AWS_REGION", "eu-west-1", "SF_EC2_RATE_LIMITS", "run=10/4, run-instances=2000/5");
    Ec2Buckets sizes = OperatorConfig.parse(new String[0], env).ec2RateLimits().orElseThrow();
    assertThat(sizes.of(Bucket.RUN)).isEqualTo(new Ec2Buckets.Limit(10, 4));
    assertThat(sizes.of(Bucket.RUN_INSTANCES)).isEqualTo(new Ec2Buckets.Limit(2000, 5));
    assertThat(sizes.of(Bucket.DESCRIBE))
        .as("a class not named keeps EC2's default")
        .isEqualTo(new Ec2Buckets.Limit(100, 20));
    assertThat(
            OperatorConfig.parse(new String[] {"--ec2-rate-limits=tags=200/20"}, env)
                .ec2RateLimits()
                .orElseThrow()
                .of(Bucket.RUN))
        .as("the flag wins over the environment, whole")
        .isEqualTo(new Ec2Buckets.Limit(5, 2));
  }

  @Test
  void theFastLaneCanBeSlowedOrTurnedOff() {
    Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "SF_FAST_POLL_INTERVAL", "5s");
    assertThat(OperatorConfig.parse(new String[0], env).fastPollInterval())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(
            OperatorConfig.parse(new String[] {"--fast-poll-interval=0s"}, env).fastPollInterval())
        .isZero();
  }

  @Test
  void flagsWinOverEnvironment() {
    OperatorConfig c =
        OperatorConfig.parse(
            new String[] {
              "--cluster-name=prod",
              "--poll-interval=10s",
              "--namespaces=shop, web",
              "--ec2-endpoint=http://127.0.0.1:5000",
              "--leader-election=true",
              "--lease-namespace=ops",
              "--label-selector=tier=web",
              "--log-format=json"
            },
            Map.of("AWS_REGION", "eu-west-1", "SF_CLUSTER_NAME", "dev", "SF_POLL_INTERVAL", "1m"));

    assertThat(c.clusterName()).isEqualTo("prod");
    assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.namespaces()).isEqualTo(Set.of("shop", "web"));
    assertThat(c.ec2Endpoint()).contains(URI.create("http://127.0.0.1:5000"));
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseNamespace()).contains("ops");
    assertThat(c.labelSelector()).isEqualTo(Optional.of("tier=web"));
    assertThat(c.logFormat()).isEqualTo("json");
  }

  @Test
  void awsDefaultRegionIsAFallback() {
    assertThat(
            OperatorConfig.parse(new String[0], Map.of("AWS_DEFAULT_REGION", "us-west-2")).region())
        .isEqualTo("us-west-2");
  }

  @ParameterizedTest
  @CsvSource({"500ms,PT0.5S", "10s,PT10S", "5m,PT5M", "1h,PT1H", "PT30S,PT30S", "pt2m,PT2M"})
  void durationsInEitherForm(String text, String iso) {
    assertThat(OperatorConfig.duration(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--region=|region is required",
        "--poll-interval=soon|not a duration: 'soon'",
        "--poll-interval=100ms|poll-interval must be at least 1s",
        "--cluster-name=has space|cluster-name must be 1-63 letters",
        "--log-format=xml|log-format must be plain or json",
        "--fast-poll-interval=100ms|fast-poll-interval must be 0s or at least 500ms",
        "--interruption-queue=serverfleet-interruptions|interruption-queue must be an SQS queue URL",
        "--colour=blue|unknown flag --colour",
        "--ec2-rate-limits=yes|ec2-rate-limits must be true, false or a list",
        "--ec2-rate-limits=runs=5/2|unknown class 'runs'",
        "--ec2-rate-limits=run=5|'5' is not burst/refill-per-second",
        "positional|unexpected argument 'positional'"
      })
  void badSettingsAreRefusedWithTheReason(String arg, String message) {
    assertThatThrownBy(
            () -> OperatorConfig.parse(new String[] {arg}, Map.of("AWS_REGION", "eu-west-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void helpListsEveryFlagWithItsVariable() {
    assertThatThrownBy(() -> OperatorConfig.parse(new String[] {"--help"}, Map.of()))
        .hasMessageContaining("--cluster-name")
        .hasMessageContaining("SF_CLUSTER_NAME")
        .hasMessageContaining("--leader-election")
        .hasMessageContaining("SF_LOG_FORMAT")
        .hasMessageContaining("run-instances=1000/2")
        .hasMessageContaining("--interruption-queue")
        .hasMessageContaining("SF_INTERRUPTION_QUEUE");
  }
}
