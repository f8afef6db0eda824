package dev.serverfleet.operator.cloud;

/**
 * A failed EC2 call, classified once (see {@link ErrorClass}) so callers branch on the class and
 * never on error codes.
 */
public class CloudException extends RuntimeException {
  private final ErrorClass errorClass;
  private final String code;
  private final String operation;

  public CloudException(String operation, ErrorClass errorClass, String code, String message, Throwable cause) {
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

  /** Whether the call certainly had no effect (a definite refusal), so a launch can be forgotten. */
  public boolean certainlyFailed() {
    return errorClass != ErrorClass.TRANSIENT;
  }
}
