package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sizes asked once per type for the life of the process; unknown types and failures not kept. */
class CachedInstanceTypesTest {
  private final FakeInstanceTypes ec2 = new FakeInstanceTypes();
  private final CachedInstanceTypes cached = new CachedInstanceTypes(ec2);

  @Test
  void asksOnlyTheTypesItDoesNotKnowYet() {
    assertThat(cached.vcpus(List.of("t3.micro", "c5.xlarge")))
        .isEqualTo(Map.of("t3.micro", 2, "c5.xlarge", 4));
    assertThat(cached.vcpus(List.of("c5.xlarge", "c5.2xlarge", "c5.xlarge")))
        .isEqualTo(Map.of("c5.xlarge", 4, "c5.2xlarge", 8));
    assertThat(cached.vcpus(List.of("t3.micro", "c5.2xlarge"))).hasSize(2);

    assertThat(ec2.calls())
        .containsExactly(List.of("t3.micro", "c5.xlarge"), List.of("c5.2xlarge"));
  }

  @Test
  void anUnknownTypeIsAbsentAndAskedAgainNextTime() {
    assertThat(cached.vcpus(List.of("t3.micro", "x9.huge"))).isEqualTo(Map.of("t3.micro", 2));
    assertThat(cached.vcpus(List.of("t3.micro", "x9.huge"))).isEqualTo(Map.of("t3.micro", 2));

    assertThat(ec2.calls()).containsExactly(List.of("t3.micro", "x9.huge"), List.of("x9.huge"));
  }

  @Test
  void aFailedCallIsThrownAndNothingIsRemembered() {
    ec2.failNext(
        new CloudException(
            "DescribeInstanceTypes", ErrorClass.THROTTLED, "RequestLimitExceeded", "slow down"));

    assertThatThrownBy(() -> cached.vcpus(List.of("t3.micro")))
        .isInstanceOf(CloudException.class)
        .hasMessage("slow down");
    assertThat(cached.vcpus(List.of("t3.micro"))).isEqualTo(Map.of("t3.micro", 2));
    assertThat(ec2.calls()).hasSize(2);
  }

  @Test
  void noTypesNoCall() {
    assertThat(cached.vcpus(List.of())).isEmpty();
    assertThat(ec2.calls()).isEmpty();
  }
}
