package dev.serverfleet.operator.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.fleet.Interruption;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads EventBridge's EC2 events as AWS documents them, as a pure function of the message body:
 *
 * <ul>
 *   <li>{@code EC2 Spot Instance Interruption Warning} (source aws.ec2): {@code
 *       detail.instance-id}; EC2 acts two minutes after the event's {@code time};
 *   <li>{@code EC2 Instance Rebalance Recommendation} (aws.ec2): {@code detail.instance-id}, no
 *       deadline;
 *   <li>{@code AWS Health Event} (aws.health) with {@code detail.service} EC2 and {@code
 *       detail.eventTypeCategory} scheduledChange (retirement, maintenance, reboot, stop): every
 *       {@code detail.affectedEntities[].entityValue} that is an instance id, the deadline {@code
 *       detail.startTime} (RFC 1123, as in AWS's samples, or ISO-8601);
 *   <li>{@code EC2 Instance State-change Notification} (aws.ec2): {@code detail.instance-id} and
 *       {@code detail.state}.
 * </ul>
 *
 * Anything else that is an event is {@link Ec2Event.Unknown}; a body that is not one, or a known
 * event without its instance id, is {@link Ec2Event.Malformed}. Never throws.
 */
public final class Ec2Events {
  /** How long EC2 gives a spot instance after its interruption warning. */
  public static final Duration SPOT_WARNING = Duration.ofMinutes(2);

  static final String SPOT = "EC2 Spot Instance Interruption Warning";
  static final String REBALANCE = "EC2 Instance Rebalance Recommendation";
  static final String HEALTH = "AWS Health Event";
  static final String STATE_CHANGE = "EC2 Instance State-change Notification";

  private static final Pattern INSTANCE_ID = Pattern.compile("^i-[0-9a-f]{8,17}$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Ec2Events() {}

  /**
   * @param receivedAt when the message was received: the spot deadline's base when the event's
   *     {@code time} is missing or unreadable
   */
  public static Ec2Event parse(String body, Instant receivedAt) {
    JsonNode event;
    try {
      event = JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      return new Ec2Event.Malformed("not JSON: " + e.getClass().getSimpleName());
    }
    if (event == null || !event.isObject() || !event.path("detail-type").isTextual()) {
      return new Ec2Event.Malformed("not an EventBridge event: no detail-type");
    }
    String type = event.path("detail-type").asText();
    JsonNode detail = event.path("detail");
    return switch (type) {
      case SPOT -> spot(event, detail, receivedAt);
      case REBALANCE ->
          instanceId(detail)
              .<Ec2Event>map(
                  id ->
                      new Ec2Event.Notice(
                          List.of(id),
                          new Interruption(
                              Interruption.Kind.REBALANCE_RECOMMENDATION, null, REBALANCE)))
              .orElse(new Ec2Event.Malformed(type + " without detail.instance-id"));
      case HEALTH -> health(detail);
      case STATE_CHANGE ->
          instanceId(detail)
              .<Ec2Event>map(id -> new Ec2Event.StateChange(id, detail.path("state").asText("")))
              .orElse(new Ec2Event.Malformed(type + " without detail.instance-id"));
      default -> new Ec2Event.Unknown(type);
    };
  }

  private static Ec2Event spot(JsonNode event, JsonNode detail, Instant receivedAt) {
    var id = instanceId(detail);
    if (id.isEmpty()) {
      return new Ec2Event.Malformed(SPOT + " without detail.instance-id");
    }
    Instant sent = instant(event.path("time").asText("")).orElse(receivedAt);
    return new Ec2Event.Notice(
        List.of(id.get()),
        new Interruption(
            Interruption.Kind.SPOT_INTERRUPTION,
            sent.plus(SPOT_WARNING),
            detail.path("instance-action").asText("terminate")));
  }

  private static Ec2Event health(JsonNode detail) {
    if (!"EC2".equals(detail.path("service").asText())
        || !"scheduledChange".equals(detail.path("eventTypeCategory").asText())) {
      return new Ec2Event.Unknown(
          HEALTH
              + " "
              + detail.path("service").asText("?")
              + "/"
              + detail.path("eventTypeCategory").asText("?"));
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode entity : detail.path("affectedEntities")) {
      String value = entity.path("entityValue").asText("");
      if (INSTANCE_ID.matcher(value).matches()) {
        ids.add(value);
      }
    }
    if (ids.isEmpty()) {
      return new Ec2Event.Malformed(HEALTH + " for EC2 without an instance in affectedEntities");
    }
    Instant start = instant(detail.path("startTime").asText("")).orElse(null);
    return new Ec2Event.Notice(
        ids,
        new Interruption(
            Interruption.Kind.SCHEDULED_CHANGE, start, detail.path("eventTypeCode").asText(null)));
  }

  private static java.util.Optional<String> instanceId(JsonNode detail) {
    String id = detail.path("instance-id").asText("");
    return INSTANCE_ID.matcher(id).matches()
        ? java.util.Optional.of(id)
        : java.util.Optional.empty();
  }

  /** ISO-8601 (2021-11-11T21:29:54Z) or RFC 1123 (Sat, 05 Jun 2021 15:10:09 GMT). */
  static java.util.Optional<Instant> instant(String text) {
    if (text.isBlank()) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      try {
        return java.util.Optional.of(
            ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e2) {
        return java.util.Optional.empty();
      }
    }
  }
}
