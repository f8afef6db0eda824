package dev.serverfleet.operator.controller;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The condition types and the reasons other code reacts to, in one place, and metav1.Condition
 * bookkeeping: lastTransitionTime moves only when status flips. What each condition says is decided
 * in {@link FleetConditions}.
 */
final class Conditions {
  static final String READY = "Ready";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";

  /** Progressing=True: every desired instance is available on the current revision. */
  static final String ROLLOUT_COMPLETE = "RolloutComplete";

  /** Progressing=False: nothing moved for progressDeadlineSeconds. */
  static final String DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  private Conditions() {}

  static Condition condition(
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now,
      List<Condition> previous) {
    return condition(type, status ? "True" : "False", reason, message, generation, now, previous);
  }

  static Condition condition(
      String type,
      String value,
      String reason,
      String message,
      long generation,
      Instant now,
      List<Condition> previous) {
    String since =
        previous.stream()
            .filter(c -> type.equals(c.getType()) && value.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElse(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  static List<Condition> orEmpty(List<Condition> conditions) {
    return conditions == null ? List.of() : new ArrayList<>(conditions);
  }
}
