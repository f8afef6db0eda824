package dev.serverfleet.operator.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One call that reached an {@link Ec2FaultProxy}, and what the proxy did with it.
 *
 * @param action the Query protocol's Action parameter ("" when absent)
 * @param clientToken the ClientToken parameter, or null
 * @param end when the answer was ready; recorded before it is sent, so a client that got its answer
 *     finds the call in {@link Ec2FaultProxy#calls()}
 * @param status HTTP status answered; 0 when {@link Outcome#DROPPED}
 * @param upstream whether this call reached moto (so moto may have acted)
 * @param minCount the MinCount parameter of a RunInstances call (how many instances it asked for at
 *     least); 0 for other actions
 * @param instanceIds the InstanceId.N parameters (TerminateInstances, describes by id), in order
 * @param subnetId the SubnetId parameter of a RunInstances call, or null
 * @param instanceType the InstanceType parameter of a RunInstances call, or null
 */
public record Ec2Call(
    String action,
    String clientToken,
    Instant start,
    Instant end,
    int status,
    Outcome outcome,
    boolean upstream,
    int minCount,
    List<String> instanceIds,
    String subnetId,
    String instanceType) {

  public Ec2Call {
    instanceIds = List.copyOf(instanceIds);
  }

  /** What the proxy did with a call. */
  public enum Outcome {
    /** Moto's answer (describes less hidden instances). */
    FORWARDED,
    /** A repeated client token: the first answer, moto not called. */
    REPLAYED,
    /** HTTP 503 RequestLimitExceeded, moto not called. */
    THROTTLED,
    /** HTTP 500 InternalError; {@link Ec2Call#upstream()} tells whether moto acted first. */
    INTERNAL_ERROR,
    /** An error set with {@link Ec2FaultProxy#fail}, moto not called. */
    FAILED,
    /** No answer: the connection was closed after moto acted (or the token replayed). */
    DROPPED,
    /** HTTP 400 IdempotentParameterMismatch: a used client token with other parameters. */
    TOKEN_MISMATCH,
    /** HTTP 400 InvalidInstanceID.NotFound: a describe by id of an instance still hidden. */
    NOT_YET_VISIBLE,
    /**
     * HTTP 500 InsufficientInstanceCapacity for a type in a zone ({@link
     * Ec2FaultProxy#noCapacity}), moto not called.
     */
    NO_CAPACITY,
    /** HTTP 502: moto could not be reached. */
    UPSTREAM_FAILED
  }

  /** From arrival to the answer being ready: includes any {@link Ec2FaultProxy#delay}. */
  public Duration duration() {
    return Duration.between(start, end);
  }
}
