package dev.serverfleet.operator.cloud;

import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.Subnet;

/** {@link Offerings} on the AWS SDK v2: DescribeSubnets and DescribeInstanceTypeOfferings. */
public final class AwsOfferings implements Offerings {
  private final Ec2Client ec2;

  public AwsOfferings(Ec2Client ec2) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
  }

  /** With a client of its own, built as the operator's (region, endpoint, SDK retries). */
  public static AwsOfferings create(
      String region, Optional<URI> endpointOverride, boolean sdkRetries) {
    return new AwsOfferings(AwsEc2.client(region, endpointOverride, sdkRetries));
  }

  @Override
  public Map<String, String> zonesOf(Collection<String> subnetIds) {
    if (subnetIds.isEmpty()) {
      return Map.of();
    }
    DescribeSubnetsRequest request =
        DescribeSubnetsRequest.builder()
            .filters(Filter.builder().name("subnet-id").values(subnetIds).build())
            .build();
    Map<String, String> zones = new LinkedHashMap<>();
    for (Subnet s : call("DescribeSubnets", () -> ec2.describeSubnets(request)).subnets()) {
      zones.put(s.subnetId(), s.availabilityZone());
    }
    return zones;
  }

  @Override
  public Map<String, Set<String>> offeredTypes(
      Collection<String> instanceTypes, Collection<String> zones) {
    if (instanceTypes.isEmpty() || zones.isEmpty()) {
      return Map.of();
    }
    Map<String, Set<String>> offered = new HashMap<>();
    zones.forEach(z -> offered.put(z, new HashSet<>()));
    String nextToken = null;
    do {
      DescribeInstanceTypeOfferingsRequest request =
          DescribeInstanceTypeOfferingsRequest.builder()
              .locationType(LocationType.AVAILABILITY_ZONE)
              .filters(
                  Filter.builder().name("instance-type").values(instanceTypes).build(),
                  Filter.builder().name("location").values(zones).build())
              .nextToken(nextToken)
              .build();
      DescribeInstanceTypeOfferingsResponse page =
          call("DescribeInstanceTypeOfferings", () -> ec2.describeInstanceTypeOfferings(request));
      for (InstanceTypeOffering o : page.instanceTypeOfferings()) {
        offered.computeIfAbsent(o.location(), z -> new HashSet<>()).add(o.instanceTypeAsString());
      }
      nextToken = page.nextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    Map<String, Set<String>> out = new HashMap<>();
    offered.forEach((zone, types) -> out.put(zone, Set.copyOf(types)));
    return out;
  }

  private static <T> T call(String operation, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw ErrorClassifier.classify(operation, e);
    }
  }
}
