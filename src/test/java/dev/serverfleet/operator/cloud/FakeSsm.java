package dev.serverfleet.operator.cloud;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SSM Run Command in memory, for what moto cannot show: moto 5.2.1 reports every command {@code
 * Success} at once, for any document and any instance id. Here each command's invocation status is
 * set by the test (Pending, InProgress, Success, Failed, TimedOut, Cancelled), an invocation may be
 * not visible yet (InvocationDoesNotExist), and the next call may fail.
 */
public final class FakeSsm implements SsmPort {
  public record Sent(String commandId, String instanceId, String documentName) {}

  private final Map<String, String> status = new HashMap<>();
  private final List<Sent> sent = new ArrayList<>();
  private final List<String> polls = new ArrayList<>();
  private CloudException nextFailure;
  private String statusOfNew = "Pending";

  /** The next call fails with this. */
  public void failNext(CloudException e) {
    nextFailure = e;
  }

  /** Status of commands sent from now on; null: not visible yet. */
  public void newCommandsStart(String status) {
    this.statusOfNew = status;
  }

  public void set(String commandId, String newStatus) {
    status.put(commandId, newStatus);
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  public List<String> polls() {
    return List.copyOf(polls);
  }

  private void maybeFail() {
    if (nextFailure != null) {
      CloudException e = nextFailure;
      nextFailure = null;
      throw e;
    }
  }

  @Override
  public String sendCommand(
      String instanceId,
      String documentName,
      Map<String, List<String>> parameters,
      int timeoutSeconds,
      String comment) {
    maybeFail();
    String id = "cmd-" + (sent.size() + 1);
    sent.add(new Sent(id, instanceId, documentName));
    status.put(id, statusOfNew);
    return id;
  }

  @Override
  public Invocation commandInvocation(String commandId, String instanceId) {
    polls.add(commandId);
    maybeFail();
    String s = status.get(commandId);
    if (s == null) {
      return new Invocation(CommandState.RUNNING, "not visible yet");
    }
    return new Invocation(AwsSsm.stateOf(s), s);
  }
}
