package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.testing.MotoServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

/**
 * {@link AwsInstanceTypes} against moto 5.2.1: sizes as EC2 documents them, unknown types left out.
 */
class AwsInstanceTypesIT {
  private final MotoServer moto = MotoServer.shared();

  @Test
  void commonTypesAnswerTheirDefaultVcpus() {
    var types = new AwsInstanceTypes(moto.ec2Client());

    assertThat(types.vcpus(List.of("t3.micro", "t3.small", "m5.large", "m7g.large", "c5.xlarge")))
        .isEqualTo(
            Map.of("t3.micro", 2, "t3.small", 2, "m5.large", 2, "m7g.large", 2, "c5.xlarge", 4));
  }

  /** EC2 (and moto) refuse the whole call for one unknown type; the known ones still answer. */
  @Test
  void anUnknownTypeIsLeftOutAndTheOthersAnswered() {
    var registry = new SimpleMeterRegistry();
    var types = new InstrumentedInstanceTypes(new AwsInstanceTypes(moto.ec2Client()), registry);

    assertThat(types.vcpus(List.of("c5.2xlarge", "x9.huge"))).isEqualTo(Map.of("c5.2xlarge", 8));
    assertThat(types.vcpus(List.of("x9.huge"))).isEmpty();
    assertThat(
            registry
                .get(InstrumentedEc2.METRIC)
                .tags("operation", "DescribeInstanceTypes", "outcome", "success")
                .timer()
                .count())
        .isEqualTo(2);
  }

  @Test
  void moreThanOneBatchOfTypes() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < AwsInstanceTypes.MAX_TYPES; i++) {
      many.add("x" + i + ".unknown");
    }
    many.add("t3.micro");

    assertThat(new AwsInstanceTypes(moto.ec2Client()).vcpus(many)).isEqualTo(Map.of("t3.micro", 2));
  }

  @Test
  void aFailureOtherThanAnUnknownTypeIsThrown() {
    var unreachable =
        AwsEc2.client(
            MotoServer.REGION,
            Optional.of(java.net.URI.create("http://127.0.0.1:9")),
            false,
            AnonymousCredentialsProvider.create());

    assertThatThrownBy(() -> new AwsInstanceTypes(unreachable).vcpus(List.of("t3.micro")))
        .isInstanceOf(CloudException.class)
        .satisfies(
            e -> assertThat(((CloudException) e).operation()).isEqualTo("DescribeInstanceTypes"));
  }
}
