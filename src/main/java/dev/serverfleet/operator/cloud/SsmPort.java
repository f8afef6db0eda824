package dev.serverfleet.operator.cloud;

import java.util.List;
import java.util.Map;

/**
 * The narrow AWS Systems Manager port: the two Run Command calls a pre-termination drain needs.
 * Project types in and out; every failure is a {@link CloudException} (see {@link ErrorClass}).
 */
public interface SsmPort {

  /** How a command invocation on one instance stands. */
  enum CommandState {
    /** Pending, InProgress, Delayed, or not yet visible (SSM is eventually consistent). */
    RUNNING,
    SUCCESS,
    /** Failed, TimedOut, Cancelled, Cancelling or Undeliverable: the drain did not happen. */
    FAILED
  }

  /**
   * @param detail SSM's status and status details, with the exit code when there is one
   */
  record Invocation(CommandState state, String detail) {}

  /**
   * Sends a document to one instance (SendCommand with InstanceIds [instanceId]) and returns the
   * command id. A refusal (the document or the instance unknown, not managed by SSM, not allowed)
   * is a terminal {@link CloudException}; a throttle or network error is retryable, and the command
   * may then have been sent: the caller sends it again on its next pass, so documents used as
   * drains must be idempotent.
   *
   * @param timeoutSeconds SSM's own delivery timeout for the command
   */
  String sendCommand(
      String instanceId,
      String documentName,
      Map<String, List<String>> parameters,
      int timeoutSeconds,
      String comment);

  /**
   * The command's state on the instance (GetCommandInvocation). An invocation SSM does not show yet
   * ({@code InvocationDoesNotExist}, just after SendCommand) is {@link CommandState#RUNNING}.
   */
  Invocation commandInvocation(String commandId, String instanceId);
}
