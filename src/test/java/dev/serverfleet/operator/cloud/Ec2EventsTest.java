package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.Interruption;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every sample event from AWS's documentation, and malformed variants of them. */
class Ec2EventsTest {
  private static final Instant RECEIVED = Instant.parse("2030-01-01T00:00:00Z");

  static String sample(String name) {
    try (InputStream in = Ec2EventsTest.class.getResourceAsStream("/events/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aSpotWarningDoomsTheInstanceTwoMinutesAfterTheEventTime() {
    Ec2Event e = Ec2Events.parse(sample("spot-interruption-warning.json"), RECEIVED);

    assertThat(e)
        .isEqualTo(
            new Ec2Event.Notice(
                List.of("i-1234567890abcdef0"),
                new Interruption(
                    Interruption.Kind.SPOT_INTERRUPTION,
                    Instant.parse("2021-02-03T14:07:06Z"),
                    "terminate")));
    assertThat(e.type()).isEqualTo("spot-interruption");
  }

  @Test
  void aRebalanceRecommendationHasNoDeadline() {
    Ec2Event e = Ec2Events.parse(sample("rebalance-recommendation.json"), RECEIVED);

    assertThat(e).isInstanceOf(Ec2Event.Notice.class);
    Ec2Event.Notice n = (Ec2Event.Notice) e;
    assertThat(n.instanceIds()).containsExactly("i-1234567890abcdef0");
    assertThat(n.interruption().kind()).isEqualTo(Interruption.Kind.REBALANCE_RECOMMENDATION);
    assertThat(n.interruption().deadline()).isNull();
  }

  @Test
  void aHealthRetirementDoomsEveryAffectedInstanceByItsStartTime() {
    Ec2Event e = Ec2Events.parse(sample("health-instance-retirement.json"), RECEIVED);

    assertThat(e)
        .isEqualTo(
            new Ec2Event.Notice(
                List.of("i-abcd1111"),
                new Interruption(
                    Interruption.Kind.SCHEDULED_CHANGE,
                    Instant.parse("2021-06-05T15:10:09Z"),
                    "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED")));
  }

  @Test
  void aStateChangeNamesTheInstanceAndItsState() {
    assertThat(Ec2Events.parse(sample("state-change-notification.json"), RECEIVED))
        .isEqualTo(new Ec2Event.StateChange("i-abcd1111", "pending"));
  }

  @Test
  void aSpotWarningWithoutAReadableTimeCountsFromReceipt() {
    String body =
        sample("spot-interruption-warning.json")
            .replace("\"2021-02-03T14:05:06Z\"", "\"yyyy-mm-ddThh:mm:ssZ\"");

    Ec2Event.Notice n = (Ec2Event.Notice) Ec2Events.parse(body, RECEIVED);

    assertThat(n.interruption().deadline()).isEqualTo(RECEIVED.plus(Ec2Events.SPOT_WARNING));
  }

  @Test
  void healthEventsOfOtherServicesOrCategoriesAreUnknown() {
    String rds = sample("health-instance-retirement.json").replace("\"EC2\"", "\"RDS\"");
    String issue =
        sample("health-instance-retirement.json").replace("\"scheduledChange\"", "\"issue\"");

    assertThat(Ec2Events.parse(rds, RECEIVED)).isInstanceOf(Ec2Event.Unknown.class);
    assertThat(Ec2Events.parse(issue, RECEIVED)).isInstanceOf(Ec2Event.Unknown.class);
  }

  @Test
  void anotherDetailTypeIsUnknown() {
    String body =
        sample("state-change-notification.json")
            .replace("EC2 Instance State-change Notification", "EC2 AMI State Change");

    assertThat(Ec2Events.parse(body, RECEIVED))
        .isEqualTo(new Ec2Event.Unknown("EC2 AMI State Change"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[1,2]",
        "{\"id\":\"x\"}",
        "{\"detail-type\":\"EC2 Spot Instance Interruption Warning\"}",
        "{\"detail-type\":\"EC2 Spot Instance Interruption Warning\",\"detail\":{\"instance-id\":\"vol-1\"}}",
        "{\"detail-type\":\"EC2 Instance Rebalance Recommendation\",\"detail\":{}}",
        "{\"detail-type\":\"EC2 Instance State-change Notification\",\"detail\":\"running\"}",
        "{\"detail-type\":\"AWS Health Event\",\"detail\":{\"service\":\"EC2\","
            + "\"eventTypeCategory\":\"scheduledChange\",\"affectedEntities\":[{\"entityValue\":\"vol-1\"}]}}",
        "{\"detail-type\":42}"
      })
  void malformedMessagesAreMalformedNeverAnException(String body) {
    assertThat(Ec2Events.parse(body, RECEIVED)).isInstanceOf(Ec2Event.Malformed.class);
  }

  @Test
  void aHealthStartTimeInIsoFormIsReadToo() {
    String body =
        sample("health-instance-retirement.json")
            .replace("Sat, 05 Jun 2021 15:10:09 GMT", "2021-06-05T15:10:09Z");

    Ec2Event.Notice n = (Ec2Event.Notice) Ec2Events.parse(body, RECEIVED);

    assertThat(n.interruption().deadline()).isEqualTo(Instant.parse("2021-06-05T15:10:09Z"));
  }
}
