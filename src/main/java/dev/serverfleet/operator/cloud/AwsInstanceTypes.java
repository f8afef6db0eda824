package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;

/**
 * {@link InstanceTypeInfo} on the AWS SDK v2: DescribeInstanceTypes with the types named, at most
 * {@value #MAX_TYPES} a call (EC2's limit for named types, which it answers in one page).
 *
 * <p>EC2 refuses a whole call naming one type it does not know ({@code InvalidInstanceType}, as
 * moto 5.2.1 does too), so such a batch is asked again one type at a time: the known types are
 * answered, the unknown ones left out. Types are named as written; EC2 decides what exists.
 */
public final class AwsInstanceTypes implements InstanceTypeInfo {
  /** EC2's limit of instance types named in one DescribeInstanceTypes call. */
  public static final int MAX_TYPES = 100;

  private static final String OPERATION = "DescribeInstanceTypes";

  private final Ec2Client ec2;

  public AwsInstanceTypes(Ec2Client ec2) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
  }

  /** On the describe client of the operator's {@link AwsEc2}: one HTTP client, one credentials. */
  public static AwsInstanceTypes sharing(AwsEc2 ec2) {
    return new AwsInstanceTypes(ec2.describeClient());
  }

  @Override
  public Map<String, Integer> vcpus(Collection<String> types) {
    List<String> distinct = types.stream().filter(Objects::nonNull).distinct().toList();
    Map<String, Integer> found = new HashMap<>();
    for (int from = 0; from < distinct.size(); from += MAX_TYPES) {
      List<String> batch = distinct.subList(from, Math.min(distinct.size(), from + MAX_TYPES));
      try {
        found.putAll(describe(batch));
      } catch (CloudException e) {
        if (!unknownType(e)) {
          throw e;
        }
        batch.forEach(type -> found.putAll(knownOrNothing(type)));
      }
    }
    return found;
  }

  /** One type's size; nothing when EC2 does not know the type. */
  private Map<String, Integer> knownOrNothing(String type) {
    try {
      return describe(List.of(type));
    } catch (CloudException e) {
      if (unknownType(e)) {
        return Map.of();
      }
      throw e;
    }
  }

  private Map<String, Integer> describe(List<String> batch) {
    DescribeInstanceTypesRequest request =
        DescribeInstanceTypesRequest.builder().instanceTypesWithStrings(batch).build();
    Map<String, Integer> found = new HashMap<>();
    String nextToken = null;
    do {
      DescribeInstanceTypesRequest page = request.toBuilder().nextToken(nextToken).build();
      DescribeInstanceTypesResponse answer = call(() -> ec2.describeInstanceTypes(page));
      answer.instanceTypes().stream()
          .filter(t -> t.vCpuInfo() != null && t.vCpuInfo().defaultVCpus() != null)
          .forEach(t -> found.put(t.instanceTypeAsString(), t.vCpuInfo().defaultVCpus()));
      nextToken = answer.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return found;
  }

  private static boolean unknownType(CloudException e) {
    return e.code() != null && e.code().startsWith("InvalidInstanceType");
  }

  private static <T> T call(java.util.function.Supplier<T> sdkCall) {
    try {
      return sdkCall.get();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify(OPERATION, e);
    }
  }
}
