package dev.serverfleet.operator.cloud;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Sends an EC2 call that takes instance ids in batches, and keeps one unknown id from blocking the
 * rest. EC2 refuses a whole TerminateInstances, DeleteTags or DescribeInstanceStatus call when any
 * id in it is unknown, with {@code InvalidInstanceID.NotFound} and a message that names the missing
 * ids ("The instance ID 'i-1' does not exist", "The instance IDs 'i-1, i-2' do not exist"; moto
 * sends the same). Such a refusal had no effect, so the batch is sent again without the ids the
 * message names. When the message names none of the ids sent, the batch is split in halves and each
 * half sent again, down to single ids: one call per id at worst, about 2·log2(n) calls for one bad
 * id among n. Any other failure propagates at once.
 *
 * <p>Shared by {@link AwsEc2} and the test fake, so both answer the same way to the same refusals.
 */
final class InstanceBatches {
  private static final Set<String> UNKNOWN_ID_CODES =
      Set.of("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed");

  private final Consumer<List<String>> call;
  private final List<String> applied = new ArrayList<>();
  private final List<String> notFound = new ArrayList<>();

  private InstanceBatches(Consumer<List<String>> call) {
    this.call = call;
  }

  /**
   * Sends the distinct {@code ids} through {@code call} in batches of at most {@code batchSize}.
   * {@code call} makes one EC2 call for the ids it is given and throws {@link CloudException} when
   * EC2 refuses it. No call is made for no ids.
   *
   * @throws CloudException the first failure that is not an unknown id; batches sent before it took
   *     effect
   */
  static BatchResult run(Collection<String> ids, int batchSize, Consumer<List<String>> call) {
    List<String> distinct = ids.stream().distinct().toList();
    InstanceBatches batches = new InstanceBatches(call);
    for (int from = 0; from < distinct.size(); from += batchSize) {
      batches.send(distinct.subList(from, Math.min(from + batchSize, distinct.size())));
    }
    return new BatchResult(batches.applied, batches.notFound);
  }

  /** Whether EC2 refused a call because of an instance id it does not know. */
  static boolean isUnknownId(CloudException e) {
    return UNKNOWN_ID_CODES.contains(e.code());
  }

  /** The ids among {@code sent} that EC2's message names, in the order sent. */
  static List<String> namedIn(String message, List<String> sent) {
    if (message == null) {
      return List.of();
    }
    // Ids appear verbatim, separated by quotes, commas, spaces or brackets, whatever the wording.
    Set<String> words = new HashSet<>(Arrays.asList(message.split("[^A-Za-z0-9-]+")));
    return sent.stream().filter(words::contains).toList();
  }

  private void send(List<String> ids) {
    try {
      call.accept(ids);
      applied.addAll(ids);
      return;
    } catch (CloudException e) {
      if (!isUnknownId(e)) {
        throw e;
      }
      if (ids.size() == 1) {
        notFound.addAll(ids);
        return;
      }
      List<String> named = namedIn(e.getMessage(), ids);
      if (!named.isEmpty()) {
        notFound.addAll(named);
        Set<String> drop = new HashSet<>(named);
        List<String> rest = ids.stream().filter(id -> !drop.contains(id)).toList();
        if (!rest.isEmpty()) {
          send(rest); // each round drops at least one id, so this ends
        }
        return;
      }
    }
    int half = ids.size() / 2;
    send(ids.subList(0, half));
    send(ids.subList(half, ids.size()));
  }
}
