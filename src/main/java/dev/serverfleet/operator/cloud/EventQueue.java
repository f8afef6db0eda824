package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The narrow port to the interruption queue: an SQS queue that EventBridge rules fill with EC2's
 * events (spot interruption warnings, rebalance recommendations, AWS Health scheduled changes,
 * state-change notifications). SQS delivers at least once: a message not deleted comes back after
 * the queue's visibility timeout, so whoever handles messages must be idempotent.
 */
public interface EventQueue {
  /** One message as the queue delivered it. */
  record Message(String messageId, String receiptHandle, String body) {
    public Message {
      Objects.requireNonNull(receiptHandle, "receiptHandle");
      body = body == null ? "" : body;
    }
  }

  /**
   * Waits up to {@link #WAIT_SECONDS} for messages (SQS long polling) and returns up to {@link
   * #MAX_MESSAGES} of them; an empty list when none came. Received messages are invisible to other
   * receivers for the queue's visibility timeout.
   *
   * @throws CloudException when the call fails (classified as EC2 calls are)
   */
  List<Message> receive();

  /**
   * Deletes the messages with these receipt handles, in batches of at most {@link #MAX_MESSAGES}.
   * Best effort per message: a handle SQS refuses (expired: the message was delivered again) is
   * left out of the result, not thrown; the message comes back and is handled again.
   *
   * @return how many SQS confirmed deleted
   * @throws CloudException when a whole call fails
   */
  int delete(Collection<String> receiptHandles);

  /** SQS's longest long poll. */
  int WAIT_SECONDS = 20;

  /** SQS's largest batch, for ReceiveMessage and DeleteMessageBatch. */
  int MAX_MESSAGES = 10;
}
