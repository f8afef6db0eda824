package dev.serverfleet.operator.cloud;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.SsmClientBuilder;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * {@link LaunchLookups} on the AWS SDK v2: SSM GetParameter, and EC2 DescribeImages,
 * DescribeSubnets and DescribeSecurityGroups. Its EC2 client goes through the same request limits
 * as the operator's (describes share EC2's DESCRIBE bucket); SSM has limits of its own and is not
 * metered by them. Only {@code tag:}, {@code name} and {@code state} filters: moto answers HTTP 500
 * to filters it does not know.
 */
public final class AwsLaunchLookups implements LaunchLookups {
  private final SsmClient ssm;
  private final Ec2Client ec2;

  public AwsLaunchLookups(SsmClient ssm, Ec2Client ec2) {
    this.ssm = Objects.requireNonNull(ssm, "ssm");
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
  }

  /** The operator's lookups: the configured region and endpoint, one shared HTTP client. */
  public static AwsLaunchLookups create(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      Optional<Ec2RateLimits> limits) {
    SdkHttpClient http = UrlConnectionHttpClient.create();
    AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    return create(region, endpointOverride, sdkRetries, limits, credentials, http);
  }

  /** As above with given credentials and HTTP client (tests against moto). */
  public static AwsLaunchLookups create(
      String region,
      Optional<URI> endpointOverride,
      boolean sdkRetries,
      Optional<Ec2RateLimits> limits,
      AwsCredentialsProvider credentials,
      SdkHttpClient http) {
    SsmClientBuilder ssm =
        SsmClient.builder()
            .credentialsProvider(credentials)
            .region(Region.of(region))
            .httpClient(http);
    endpointOverride.ifPresent(ssm::endpointOverride);
    if (!sdkRetries) {
      ssm.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    }
    var ec2 = Ec2Client.builder().credentialsProvider(credentials).region(Region.of(region));
    endpointOverride.ifPresent(ec2::endpointOverride);
    ec2.httpClient(http)
        .overrideConfiguration(
            o -> {
              if (!sdkRetries) {
                o.retryStrategy(AwsRetryStrategy.doNotRetry());
              }
              limits.ifPresent(l -> o.addExecutionInterceptor(new RateLimitInterceptor(l)));
            });
    return new AwsLaunchLookups(ssm.build(), ec2.build());
  }

  @Override
  public Optional<String> ssmParameter(String name) {
    try {
      return Optional.of(ssm.getParameter(r -> r.name(name)).parameter().value());
    } catch (ParameterNotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify("GetParameter", e);
    }
  }

  @Override
  public List<Image> images(String name, List<String> owners, Map<String, String> tags) {
    List<Filter> filters = new ArrayList<>(tagFilters(tags));
    filters.add(Filter.builder().name("state").values("available").build());
    if (name != null) {
      filters.add(Filter.builder().name("name").values(name).build());
    }
    List<Image> found = new ArrayList<>();
    String next = null;
    do {
      String token = next;
      var page =
          call(
              "DescribeImages",
              () ->
                  ec2.describeImages(
                      r -> {
                        r.filters(filters).nextToken(token);
                        if (!owners.isEmpty()) {
                          r.owners(owners);
                        }
                      }));
      page.images().forEach(i -> found.add(new Image(i.imageId(), i.name(), instant(i))));
      next = page.nextToken();
    } while (next != null && !next.isEmpty());
    return found;
  }

  @Override
  public List<Subnet> subnets(Map<String, String> tags) {
    List<Subnet> found = new ArrayList<>();
    String next = null;
    do {
      String token = next;
      var page =
          call(
              "DescribeSubnets",
              () -> ec2.describeSubnets(r -> r.filters(tagFilters(tags)).nextToken(token)));
      page.subnets().forEach(s -> found.add(new Subnet(s.subnetId(), s.availabilityZone())));
      next = page.nextToken();
    } while (next != null && !next.isEmpty());
    return found;
  }

  @Override
  public List<String> securityGroups(Map<String, String> tags) {
    List<String> found = new ArrayList<>();
    String next = null;
    do {
      String token = next;
      var page =
          call(
              "DescribeSecurityGroups",
              () -> ec2.describeSecurityGroups(r -> r.filters(tagFilters(tags)).nextToken(token)));
      page.securityGroups().forEach(g -> found.add(g.groupId()));
      next = page.nextToken();
    } while (next != null && !next.isEmpty());
    return found;
  }

  /** {@code tag:<key>=<value>}, or {@code tag-key=<key>} for a value of {@code *}. */
  private static List<Filter> tagFilters(Map<String, String> tags) {
    return tags.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                "*".equals(e.getValue())
                    ? Filter.builder().name("tag-key").values(e.getKey()).build()
                    : Filter.builder().name("tag:" + e.getKey()).values(e.getValue()).build())
        .toList();
  }

  private static Instant instant(software.amazon.awssdk.services.ec2.model.Image image) {
    try {
      return image.creationDate() == null ? null : Instant.parse(image.creationDate());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static <T> T call(String operation, Supplier<T> sdkCall) {
    try {
      return sdkCall.get();
    } catch (RuntimeException e) {
      throw ErrorClassifier.classify(operation, e);
    }
  }
}
