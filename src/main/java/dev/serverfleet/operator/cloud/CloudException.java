package dev.serverfleet.operator.cloud;

/**
 * A failed EC2 call, classified once (see {@link ErrorClass}) so callers branch on the class and
 * never on error codes.
 */
public class CloudException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorClass errorClass;
  private final String code;
  private final String operation;

  public CloudException(
      String operation, ErrorClass errorClass, String code, String message, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.errorClass = errorClass;
    this.code = code;
  }

  public CloudException(String operation, ErrorClass errorClass, String code, String message) {
    this(operation, errorClass, code, message, null);
  }

  public ErrorClass errorClass() {
    return errorClass;
  }

  /** EC2's error code, such as {@code InvalidAMIID.NotFound}; "IOError" when no answer came. */
  public String code() {
    return code;
  }

  public String operation() {
    return operation;
  }

  /**
   * Whether EC2 definitely refused this call, so that it certainly had no effect: a terminal
   * refusal (bad AMI, parameter, permission, quota) or insufficient capacity, which EC2 answers
   * only after it has evaluated the request and launched nothing. Throttling, 5xx and network
   * errors are not: the call may have run. Nor is {@code IdempotentParameterMismatch}, which says
   * that an earlier call with the same client token did run.
   */
  public boolean definitelyRefused() {
    return (errorClass == ErrorClass.TERMINAL && !IDEMPOTENT_MISMATCH.equals(code))
        || errorClass == ErrorClass.INSUFFICIENT_CAPACITY;
  }

  /**
   * EC2 has no capacity for the requested offering (capacity type × instance type × zone) now, or
   * does not offer it there: another instance type in the same subnet may launch.
   */
  public boolean offeringUnavailable() {
    return errorClass == ErrorClass.INSUFFICIENT_CAPACITY
        && ErrorClassifier.offeringUnavailable(code);
  }

  /** The request never left: the connection was refused. Nothing can have happened. */
  public boolean neverSent() {
    return ErrorClassifier.NOT_CONNECTED.equals(code);
  }

  /** A client token reused with other parameters: the first call with it launched. */
  public static final String IDEMPOTENT_MISMATCH = "IdempotentParameterMismatch";
}
