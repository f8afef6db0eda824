package dev.serverfleet.operator.cloud;

import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The one place that turns a failed EC2 call into a {@link CloudException} with an {@link
 * ErrorClass}. Callers branch on the class, never on codes.
 *
 * <p>Order of decision: a known code wins (EC2 sends InsufficientInstanceCapacity as a 5xx and
 * RequestLimitExceeded as a 503, so the status alone would mislead); then the SDK's own throttling
 * and clock-skew checks; then the HTTP status (4xx terminal, 5xx transient); anything else — no
 * answer, an unknown exception — is transient, because the call may have taken effect.
 *
 * <p>Codes are matched by family, the part before the first dot, so {@code InvalidAMIID.NotFound}
 * and {@code InvalidAMIID.Malformed} both match {@code InvalidAMIID}.
 */
public final class ErrorClassifier {

  /** Code of a {@link CloudException} for a call that got no answer (connection, timeout, IO). */
  public static final String IO_ERROR = "IOError";

  /**
   * Code of a {@link CloudException} for a call that never left: the connection to EC2 was refused,
   * so no request was sent.
   */
  public static final String NOT_CONNECTED = "ConnectionRefused";

  /** Code when neither EC2 nor the SDK named the failure. */
  public static final String UNKNOWN = "Unknown";

  private static final Map<String, ErrorClass> BY_FAMILY =
      Map.ofEntries(
          // The request can never succeed as made.
          Map.entry("InvalidAMIID", ErrorClass.TERMINAL),
          Map.entry("InvalidSubnetID", ErrorClass.TERMINAL),
          Map.entry("InvalidSubnet", ErrorClass.TERMINAL),
          Map.entry("InvalidGroup", ErrorClass.TERMINAL),
          Map.entry("InvalidGroupId", ErrorClass.TERMINAL),
          Map.entry("InvalidKeyPair", ErrorClass.TERMINAL),
          Map.entry(
              "InvalidInstanceType", ErrorClass.TERMINAL), // moto: InvalidInstanceType.NotFound
          Map.entry(
              "InvalidParameterValue",
              ErrorClass.TERMINAL), // also AWS's bad iamInstanceProfile.name
          Map.entry("InvalidParameterCombination", ErrorClass.TERMINAL),
          Map.entry("InvalidParameter", ErrorClass.TERMINAL),
          Map.entry("MissingParameter", ErrorClass.TERMINAL),
          Map.entry("InvalidIAMInstanceProfile", ErrorClass.TERMINAL),
          // a launch template or version that does not exist (NotFound, VersionNotFound, Malformed)
          Map.entry("InvalidLaunchTemplateId", ErrorClass.TERMINAL),
          Map.entry("InvalidLaunchTemplateName", ErrorClass.TERMINAL),
          Map.entry(
              "NoSuchEntity",
              ErrorClass.TERMINAL), // moto's (IAM-style) answer to a bad instance profile
          Map.entry("UnauthorizedOperation", ErrorClass.TERMINAL),
          Map.entry("AuthFailure", ErrorClass.TERMINAL),
          Map.entry("OptInRequired", ErrorClass.TERMINAL),
          Map.entry("Blocked", ErrorClass.TERMINAL),
          Map.entry("PendingVerification", ErrorClass.TERMINAL),
          Map.entry("IdempotentParameterMismatch", ErrorClass.TERMINAL),
          // Account-wide quotas: no other subnet helps, a person must raise the limit.
          Map.entry("InstanceLimitExceeded", ErrorClass.TERMINAL),
          Map.entry("VcpuLimitExceeded", ErrorClass.TERMINAL),
          // EC2 asked us to slow down.
          Map.entry("RequestLimitExceeded", ErrorClass.THROTTLED),
          Map.entry("Throttling", ErrorClass.THROTTLED),
          Map.entry("ThrottlingException", ErrorClass.THROTTLED),
          Map.entry("RequestThrottled", ErrorClass.THROTTLED),
          Map.entry("RequestThrottledException", ErrorClass.THROTTLED),
          // Nothing to launch on in this zone or subnet now; another subnet may work.
          Map.entry("InsufficientInstanceCapacity", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("InsufficientCapacity", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("InsufficientHostCapacity", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("InsufficientReservedInstanceCapacity", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("InsufficientFreeAddressesInSubnet", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("MaxSpotInstanceCountExceeded", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry("SpotMaxPriceTooLow", ErrorClass.INSUFFICIENT_CAPACITY),
          Map.entry(
              "Unsupported",
              ErrorClass.INSUFFICIENT_CAPACITY), // instance type not offered in this AZ
          Map.entry("UnfulfillableCapacity", ErrorClass.INSUFFICIENT_CAPACITY),
          // 4xx codes that are not the request's fault: retry later.
          Map.entry("RequestExpired", ErrorClass.TRANSIENT), // clock skew
          Map.entry("ConcurrentTagAccess", ErrorClass.TRANSIENT),
          // AWS documents this right after RunInstances as eventual consistency, to be retried.
          Map.entry("InvalidInstanceID", ErrorClass.TRANSIENT),
          Map.entry("InternalError", ErrorClass.TRANSIENT),
          Map.entry("InternalFailure", ErrorClass.TRANSIENT),
          Map.entry("ServiceUnavailable", ErrorClass.TRANSIENT),
          Map.entry("Unavailable", ErrorClass.TRANSIENT));

  /**
   * Shortages of one offering (capacity type × instance type × zone), not of the subnet or the
   * account: another instance type in the same subnet may launch. InsufficientFreeAddressesInSubnet
   * and the like are the subnet's own, and not here.
   */
  private static final java.util.Set<String> OFFERING_FAMILIES =
      java.util.Set.of(
          "InsufficientInstanceCapacity",
          "InsufficientHostCapacity",
          "MaxSpotInstanceCountExceeded",
          "SpotMaxPriceTooLow",
          "UnfulfillableCapacity",
          "Unsupported");

  private ErrorClassifier() {}

  /** Whether the code says that one offering has no capacity (see {@link #OFFERING_FAMILIES}). */
  static boolean offeringUnavailable(String code) {
    return code != null && OFFERING_FAMILIES.contains(family(code));
  }

  /**
   * Classifies whatever an SDK call threw. A {@link CloudException} passes through unchanged. The
   * message is EC2's own error message; the SDK exception is kept as the cause.
   */
  public static CloudException classify(String operation, Throwable error) {
    if (error instanceof CloudException cloud) {
      return cloud;
    }
    if (error instanceof AwsServiceException aws) {
      AwsErrorDetails details = aws.awsErrorDetails();
      String code =
          details == null || blank(details.errorCode())
              ? httpCode(aws.statusCode())
              : details.errorCode();
      String message =
          details == null || blank(details.errorMessage())
              ? aws.getMessage()
              : details.errorMessage();
      ErrorClass errorClass =
          classOf(code, aws.statusCode(), aws.isThrottlingException(), aws.isClockSkewException());
      return new CloudException(operation, errorClass, code, message, aws);
    }
    if (error instanceof SdkClientException client) {
      return new CloudException(
          operation,
          ErrorClass.TRANSIENT,
          refused(client) ? NOT_CONNECTED : IO_ERROR,
          client.getMessage(),
          client);
    }
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new CloudException(operation, ErrorClass.TRANSIENT, UNKNOWN, message, error);
  }

  /**
   * A CloudException for an EC2 error code and HTTP status, classified exactly as an SDK exception
   * with that code would be. For fakes and for code that learns of a failure without an exception.
   */
  public static CloudException fromCode(
      String operation, String code, String message, int httpStatus) {
    return new CloudException(operation, classOf(code, httpStatus, false, false), code, message);
  }

  private static ErrorClass classOf(
      String code, int httpStatus, boolean sdkThrottling, boolean clockSkew) {
    ErrorClass known = code == null ? null : BY_FAMILY.get(family(code));
    if (known != null) {
      return known;
    }
    if (sdkThrottling || httpStatus == 429) {
      return ErrorClass.THROTTLED;
    }
    if (clockSkew) {
      return ErrorClass.TRANSIENT;
    }
    if (httpStatus >= 400 && httpStatus < 500) {
      return ErrorClass.TERMINAL;
    }
    return ErrorClass.TRANSIENT;
  }

  private static boolean refused(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  private static String family(String code) {
    int dot = code.indexOf('.');
    return dot < 0 ? code : code.substring(0, dot);
  }

  private static String httpCode(int status) {
    return status > 0 ? "HTTP" + status : UNKNOWN;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
