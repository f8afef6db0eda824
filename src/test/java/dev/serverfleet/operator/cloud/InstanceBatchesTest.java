package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EC2 as a set of known ids that refuses a whole call naming an unknown one, with a chosen message.
 */
class InstanceBatchesTest {
  private final List<List<String>> calls = new ArrayList<>();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "AWS and moto 5 | 2",
        "only the first named | 3",
        "moto before 3.1 | 2",
      })
  void unknownIdsNamedByEc2AreLeftOutAndTheRestSentAgain(String wording, int expectedCalls) {
    Function<List<String>, String> message =
        switch (wording) {
          case "AWS and moto 5" ->
              u ->
                  u.size() == 1
                      ? "The instance ID '" + u.get(0) + "' does not exist"
                      : "The instance IDs '" + String.join(", ", u) + "' do not exist";
          case "only the first named" -> u -> "The instance ID '" + u.get(0) + "' does not exist";
          default ->
              u ->
                  "The instance ID '"
                      + u.stream().map(id -> "'" + id + "'").toList()
                      + "' does not exist";
        };

    BatchResult result =
        InstanceBatches.run(
            List.of("i-a", "i-b", "i-c", "i-d", "i-e"),
            1000,
            refusingUnknown(Set.of("i-a", "i-c", "i-e"), message));

    assertThat(result.applied()).containsExactly("i-a", "i-c", "i-e");
    assertThat(result.notFound()).containsExactly("i-b", "i-d");
    assertThat(calls)
        .hasSize(expectedCalls)
        .first()
        .isEqualTo(List.of("i-a", "i-b", "i-c", "i-d", "i-e"));
    assertThat(calls).last().isEqualTo(List.of("i-a", "i-c", "i-e"));
  }

  @Test
  void aMessageThatNamesNoIdSplitsTheBatchInHalvesDownToTheBadId() {
    List<String> ids = IntStream.range(0, 64).mapToObj(n -> "i-" + n).toList();
    Consumer<List<String>> ec2 =
        refusingUnknown(Set.copyOf(ids.subList(1, 64)), unknown -> "Something is missing");

    BatchResult result = InstanceBatches.run(ids, 1000, ec2);

    assertThat(result.notFound()).containsExactly("i-0");
    assertThat(result.applied()).containsExactlyInAnyOrderElementsOf(ids.subList(1, 64));
    assertThat(calls)
        .hasSize(1 + 2 * 6); // the refused batch, then two halves per level down to one id
  }

  @Test
  void aMalformedIdCountsAsUnknown() {
    Consumer<List<String>> ec2 =
        ids -> {
          calls.add(ids);
          if (ids.contains("web-1")) {
            throw ErrorClassifier.fromCode(
                "TerminateInstances",
                "InvalidInstanceID.Malformed",
                "Invalid id: \"web-1\" (expecting \"i-...\")",
                400);
          }
        };

    BatchResult result = InstanceBatches.run(List.of("i-a", "web-1"), 1000, ec2);

    assertThat(result.applied()).containsExactly("i-a");
    assertThat(result.notFound()).containsExactly("web-1");
  }

  @Test
  void otherFailuresPropagateAtOnce() {
    Consumer<List<String>> ec2 =
        ids -> {
          calls.add(ids);
          throw ErrorClassifier.fromCode("TerminateInstances", "UnauthorizedOperation", "no", 403);
        };

    assertThatThrownBy(() -> InstanceBatches.run(List.of("i-a", "i-b"), 1000, ec2))
        .isInstanceOfSatisfying(
            CloudException.class, e -> assertThat(e.code()).isEqualTo("UnauthorizedOperation"));
    assertThat(calls).hasSize(1);
  }

  @Test
  void sendsDistinctIdsInBatchesAndNothingForNoIds() {
    List<String> ids = IntStream.range(0, 2500).mapToObj(n -> "i-" + n).toList();
    List<String> twice = new ArrayList<>(ids);
    twice.addAll(ids);

    BatchResult result =
        InstanceBatches.run(twice, 1000, refusingUnknown(Set.copyOf(ids), u -> ""));
    InstanceBatches.run(List.of(), 1000, refusingUnknown(Set.of(), u -> ""));

    assertThat(result.applied()).containsExactlyElementsOf(ids);
    assertThat(calls).extracting(List::size).containsExactly(1000, 1000, 500);
  }

  private Consumer<List<String>> refusingUnknown(
      Set<String> known, Function<List<String>, String> message) {
    return ids -> {
      calls.add(List.copyOf(ids));
      List<String> unknown = ids.stream().filter(id -> !known.contains(id)).toList();
      if (!unknown.isEmpty()) {
        throw ErrorClassifier.fromCode(
            "TerminateInstances", "InvalidInstanceID.NotFound", message.apply(unknown), 400);
      }
    };
  }
}
