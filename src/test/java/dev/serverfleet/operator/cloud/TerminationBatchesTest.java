package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TerminationBatchesTest {

  @ParameterizedTest(name = "queued {0}, at most {1} ids: the next call takes {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''            | 1000 | 0",
        "3             | 1000 | 1",
        "3 4 5         | 1000 | 3",
        "500 500 1     | 1000 | 2", // exactly full, the next one waits
        "500 501 1     | 1000 | 1", // the second does not fit; the third is not let past it
        "1500 1        | 1000 | 1", // over the limit alone still goes (the port splits it)
        "1 1500        | 1000 | 1",
        "1 1 1 1 1     | 3    | 3",
        "2 2 1         | 4    | 2",
      })
  void theNextCallTakesTheHeadOfTheQueueThatFits(String sizes, int maxIds, int taken) {
    List<Integer> queued =
        sizes.isBlank()
            ? List.of()
            : Arrays.stream(sizes.trim().split(" +")).map(Integer::valueOf).toList();

    assertThat(TerminationBatches.take(queued, maxIds)).isEqualTo(taken);
  }

  @Test
  void oneCallSendsEveryCallersIdsOnceInArrivalOrder() {
    assertThat(
            TerminationBatches.merge(
                List.of(List.of("i-a", "i-b"), List.of("i-c"), List.of("i-b", "i-d"))))
        .containsExactly("i-a", "i-b", "i-c", "i-d");
  }

  @Test
  void eachCallerGetsTheAnswerForItsOwnIdsOnly() {
    BatchResult merged = new BatchResult(List.of("i-a", "i-b", "i-c"), List.of("i-gone", "i-x"));

    assertThat(TerminationBatches.forCaller(merged, List.of("i-b", "i-gone")))
        .isEqualTo(new BatchResult(List.of("i-b"), List.of("i-gone")));
    assertThat(TerminationBatches.forCaller(merged, List.of("i-a", "i-c")))
        .isEqualTo(new BatchResult(List.of("i-a", "i-c"), List.of()));
    // an id two callers asked for is in both answers
    assertThat(TerminationBatches.forCaller(merged, List.of("i-c", "i-x")))
        .isEqualTo(new BatchResult(List.of("i-c"), List.of("i-x")));
  }

  @ParameterizedTest(name = "{0} ({1} callers): each alone again = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "UnauthorizedOperation  | 403 | 3 | true", // an IAM tag condition on one fleet's instance
        "OperationNotPermitted  | 400 | 2 | true", // termination protection on one instance
        "InvalidParameterValue  | 400 | 2 | true",
        "UnauthorizedOperation  | 403 | 1 | false", // alone already: its own failure
        "RequestLimitExceeded   | 503 | 3 | false", // the account's, not a caller's
        "InternalError          | 500 | 3 | false", // may have taken effect
      })
  void onlyADefiniteRefusalOfSeveralCallersIsSentAgainCallerByCaller(
      String code, int status, int callers, boolean alone) {
    CloudException failure =
        ErrorClassifier.fromCode("TerminateInstances", code, "EC2 says no", status);

    assertThat(TerminationBatches.retryEachAlone(failure, callers)).isEqualTo(alone);
  }
}
