package dev.serverfleet.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

class ErrorClassifierTest {

  @ParameterizedTest(name = "{0} at HTTP {1} is {2}")
  @CsvSource({
    // terminal: the request can never succeed as made
    "InvalidAMIID.NotFound,                 400, TERMINAL",
    "InvalidLaunchTemplateId.NotFound,      400, TERMINAL",
    "InvalidLaunchTemplateId.VersionNotFound, 400, TERMINAL",
    "InvalidLaunchTemplateName.NotFoundException, 400, TERMINAL",
    "InvalidAMIID.Malformed,                400, TERMINAL",
    "InvalidAMIID.Unavailable,              400, TERMINAL",
    "InvalidSubnetID.NotFound,              400, TERMINAL",
    "InvalidSubnet,                         400, TERMINAL",
    "InvalidGroup.NotFound,                 400, TERMINAL",
    "InvalidParameterValue,                 400, TERMINAL",
    "InvalidParameterCombination,           400, TERMINAL",
    "InvalidKeyPair.NotFound,               400, TERMINAL",
    "UnauthorizedOperation,                 403, TERMINAL",
    "AuthFailure,                           401, TERMINAL",
    "InvalidInstanceType,                   400, TERMINAL",
    "InvalidInstanceType.NotFound,          400, TERMINAL",
    "OptInRequired,                         403, TERMINAL",
    "Blocked,                               403, TERMINAL",
    "InvalidIAMInstanceProfile,             400, TERMINAL",
    "NoSuchEntity,                          404, TERMINAL",
    "IdempotentParameterMismatch,           400, TERMINAL",
    "InstanceLimitExceeded,                 400, TERMINAL",
    "VcpuLimitExceeded,                     400, TERMINAL",
    "SomethingNewAndWrong,                  400, TERMINAL",
    // volumes and instance options EC2 refuses (the 4xx default, written down)
    "InvalidPlacementGroup.Unknown,         400, TERMINAL",
    "InvalidSnapshot.NotFound,              400, TERMINAL",
    "InvalidBlockDeviceMapping,             400, TERMINAL",
    "InvalidParameterDependency,            400, TERMINAL",
    // throttled
    "RequestLimitExceeded,                  503, THROTTLED",
    "Throttling,                            400, THROTTLED",
    "ThrottlingException,                   400, THROTTLED",
    "RequestThrottled,                      400, THROTTLED",
    "SomethingNew,                          429, THROTTLED",
    // no capacity here, maybe elsewhere
    "InsufficientInstanceCapacity,          500, INSUFFICIENT_CAPACITY",
    "InsufficientCapacity,                  500, INSUFFICIENT_CAPACITY",
    "InsufficientHostCapacity,              500, INSUFFICIENT_CAPACITY",
    "InsufficientReservedInstanceCapacity,  500, INSUFFICIENT_CAPACITY",
    "InsufficientFreeAddressesInSubnet,     400, INSUFFICIENT_CAPACITY",
    "MaxSpotInstanceCountExceeded,          400, INSUFFICIENT_CAPACITY",
    "SpotMaxPriceTooLow,                    400, INSUFFICIENT_CAPACITY",
    "Unsupported,                           400, INSUFFICIENT_CAPACITY",
    // transient: may or may not have happened, retry with the same token
    "InternalError,                         500, TRANSIENT",
    "ServiceUnavailable,                    503, TRANSIENT",
    "Unavailable,                           503, TRANSIENT",
    "SomethingNew,                          502, TRANSIENT",
    "RequestExpired,                        400, TRANSIENT",
    "InvalidInstanceID.NotFound,            400, TRANSIENT",
    "SomethingNew,                          0,   TRANSIENT",
  })
  void classifiesServiceErrors(String code, int status, ErrorClass expected) {
    CloudException e =
        ErrorClassifier.classify("RunInstances", ec2Error(code, "EC2 says " + code, status));

    assertThat(e.errorClass()).isEqualTo(expected);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.operation()).isEqualTo("RunInstances");
    assertThat(ErrorClassifier.fromCode("RunInstances", code, "m", status).errorClass())
        .isEqualTo(expected);
  }

  @Test
  void messageIsEc2sOwnAndCauseIsKept() {
    Ec2Exception sdk =
        ec2Error(
            "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist", 400);

    CloudException e = ErrorClassifier.classify("RunInstances", sdk);

    assertThat(e.getMessage()).isEqualTo("The image id '[ami-0123456789abcdef0]' does not exist");
    assertThat(e.getCause()).isSameAs(sdk);
    assertThat(e.definitelyRefused()).isTrue();
  }

  @Test
  void sdkThrottlingWithAnUnlistedCodeIsThrottled() {
    // The SDK knows more throttling codes than we list, e.g. EC2ThrottledException.
    CloudException e =
        ErrorClassifier.classify(
            "DescribeInstances", ec2Error("EC2ThrottledException", "slow down", 400));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.THROTTLED);
  }

  @Test
  void errorWithoutCodeIsNamedByItsStatus() {
    // moto answers an unknown filter with an HTML 500 page, which has no EC2 error code.
    Ec2Exception sdk =
        (Ec2Exception)
            Ec2Exception.builder().message("Internal Server Error").statusCode(500).build();

    CloudException e = ErrorClassifier.classify("DescribeInstances", sdk);

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(e.code()).isEqualTo("HTTP500");
    assertThat(e.getMessage()).contains("Internal Server Error");
  }

  @Test
  void noAnswerIsTransientIoError() {
    SdkClientException io =
        SdkClientException.create(
            "Unable to execute HTTP request: Connection refused", new IOException("refused"));

    CloudException e = ErrorClassifier.classify("TerminateInstances", io);

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(e.code()).isEqualTo(ErrorClassifier.IO_ERROR);
    assertThat(e.getMessage()).contains("Connection refused");
    assertThat(e.definitelyRefused()).isFalse();
  }

  @Test
  void aRefusedConnectionSentNothing() {
    SdkClientException refused =
        SdkClientException.create(
            "Unable to execute HTTP request: Connection refused",
            new java.net.ConnectException("Connection refused"));

    CloudException e = ErrorClassifier.classify("RunInstances", refused);

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(e.code()).isEqualTo(ErrorClassifier.NOT_CONNECTED);
    assertThat(e.neverSent()).isTrue();
    assertThat(e.definitelyRefused()).as("EC2 said nothing").isFalse();
  }

  @Test
  void timeoutIsTransientIoError() {
    CloudException e =
        ErrorClassifier.classify("RunInstances", ApiCallTimeoutException.create(30_000));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(e.code()).isEqualTo(ErrorClassifier.IO_ERROR);
  }

  @Test
  void anythingElseIsTransientUnknown() {
    CloudException e = ErrorClassifier.classify("DeleteTags", new IllegalStateException("boom"));

    assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(e.code()).isEqualTo(ErrorClassifier.UNKNOWN);
    assertThat(e.getMessage()).isEqualTo("boom");
  }

  @Test
  void cloudExceptionPassesThrough() {
    CloudException original = new CloudException("RunInstances", ErrorClass.TERMINAL, "X", "y");

    assertThat(ErrorClassifier.classify("Other", original)).isSameAs(original);
  }

  private static Ec2Exception ec2Error(String code, String message, int status) {
    return (Ec2Exception)
        Ec2Exception.builder()
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(code)
                    .errorMessage(message)
                    .serviceName("Ec2")
                    .build())
            .statusCode(status)
            .build();
  }
}
