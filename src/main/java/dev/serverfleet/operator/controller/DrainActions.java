package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.PreTerminateHook;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import java.util.Optional;

/**
 * The calls a drain makes, for {@link DrainStage}. Neither method waits for the drain itself: a
 * webhook runs on a small bounded pool and is looked at on the next pass; an SSM command is sent
 * and its invocation read on later passes.
 */
public interface DrainActions {

  /**
   * What is known of the drain's current call.
   *
   * @param detail what the action answered (an HTTP status, SSM's status), for status and events
   */
  record Probed(DrainMachine.Probe probe, String detail) {
    static final Probed NONE = new Probed(DrainMachine.Probe.NONE, null);
  }

  /**
   * The outcome of an attempt to start a call.
   *
   * @param accepted false when the call was not made now (the shared bound on hook calls is
   *     reached, or a retryable error): the next pass tries again
   * @param handle what identifies the call across restarts (the SSM command id), if anything
   * @param refused a definite refusal: the action failed (defaultResult applies)
   */
  record Sent(boolean accepted, String handle, Optional<String> refused) {
    static Sent deferred() {
      return new Sent(false, null, Optional.empty());
    }

    static Sent made(String handle) {
      return new Sent(true, handle, Optional.empty());
    }

    static Sent refusal(String why) {
      return new Sent(false, null, Optional.of(why));
    }
  }

  Probed probe(ServerFleet fleet, PreTerminateHook hook, Drain drain);

  Sent send(ServerFleet fleet, PreTerminateHook hook, Instance instance, Drain drain);

  /** The drain ended or its instance is gone: drop whatever this process keeps for it. */
  void forget(ServerFleet fleet, Drain drain);

  /** For fleets without hooks and tests of the stage without them: every call refused. */
  DrainActions NONE =
      new DrainActions() {
        @Override
        public Probed probe(ServerFleet fleet, PreTerminateHook hook, Drain drain) {
          return Probed.NONE;
        }

        @Override
        public Sent send(ServerFleet fleet, PreTerminateHook hook, Instance instance, Drain d) {
          return Sent.refusal("this operator runs no pre-termination hooks");
        }

        @Override
        public void forget(ServerFleet fleet, Drain drain) {}
      };
}
