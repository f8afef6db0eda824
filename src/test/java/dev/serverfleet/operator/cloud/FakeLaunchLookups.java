package dev.serverfleet.operator.cloud;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * {@link LaunchLookups} in memory, for fast tests: SSM parameters, images, subnets and security
 * groups with tags, matched as AWS documents (every tag; a {@code *} value matches any value; image
 * names with {@code *} and {@code ?} wildcards; owners by account ID or {@code self}). Counts calls
 * per operation and throws an injected error on the next call.
 */
public final class FakeLaunchLookups implements LaunchLookups {
  public static final String ACCOUNT = "123456789012";

  private record StoredImage(Image image, String owner, Map<String, String> tags) {}

  private record Tagged<T>(T value, Map<String, String> tags) {}

  private final Map<String, String> parameters = new ConcurrentHashMap<>();
  private final List<StoredImage> images = new ArrayList<>();
  private final Map<String, Tagged<Subnet>> subnets = new LinkedHashMap<>();
  private final Map<String, Tagged<String>> groups = new LinkedHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private CloudException nextError;

  public synchronized FakeLaunchLookups parameter(String name, String value) {
    parameters.put(name, value);
    return this;
  }

  public synchronized FakeLaunchLookups image(
      String id, String name, String owner, Instant created, Map<String, String> tags) {
    images.add(new StoredImage(new Image(id, name, created), owner, tags));
    return this;
  }

  public synchronized FakeLaunchLookups subnet(String id, String zone, Map<String, String> tags) {
    subnets.put(id, new Tagged<>(new Subnet(id, zone), Map.copyOf(tags)));
    return this;
  }

  public synchronized FakeLaunchLookups group(String id, Map<String, String> tags) {
    groups.put(id, new Tagged<>(id, Map.copyOf(tags)));
    return this;
  }

  /** The next call (whichever) throws this error. */
  public synchronized void failNext(CloudException error) {
    nextError = error;
  }

  public int calls(String operation) {
    return calls.getOrDefault(operation, new AtomicInteger()).get();
  }

  public int totalCalls() {
    return calls.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Override
  public synchronized Optional<String> ssmParameter(String name) {
    called("GetParameter");
    return Optional.ofNullable(parameters.get(name));
  }

  @Override
  public synchronized List<Image> images(
      String name, List<String> owners, Map<String, String> tags) {
    called("DescribeImages");
    return images.stream()
        .filter(i -> name == null || glob(name).matcher(i.image().name()).matches())
        .filter(
            i ->
                owners.isEmpty()
                    || owners.contains(i.owner())
                    || owners.contains("self") && ACCOUNT.equals(i.owner()))
        .filter(i -> carries(i.tags(), tags))
        .map(StoredImage::image)
        .toList();
  }

  @Override
  public synchronized List<Subnet> subnets(Map<String, String> tags) {
    called("DescribeSubnets");
    return subnets.values().stream()
        .filter(s -> carries(s.tags(), tags))
        .map(Tagged::value)
        .toList();
  }

  @Override
  public synchronized List<String> securityGroups(Map<String, String> tags) {
    called("DescribeSecurityGroups");
    return groups.values().stream()
        .filter(g -> carries(g.tags(), tags))
        .map(Tagged::value)
        .toList();
  }

  private void called(String operation) {
    calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    if (nextError != null) {
      CloudException e = nextError;
      nextError = null;
      throw e;
    }
  }

  private static boolean carries(Map<String, String> has, Map<String, String> wanted) {
    return wanted.entrySet().stream()
        .allMatch(
            e ->
                has.containsKey(e.getKey())
                    && ("*".equals(e.getValue()) || e.getValue().equals(has.get(e.getKey()))));
  }

  private static Pattern glob(String name) {
    StringBuilder regex = new StringBuilder();
    for (char c : name.toCharArray()) {
      regex.append(
          switch (c) {
            case '*' -> ".*";
            case '?' -> ".";
            default -> Pattern.quote(String.valueOf(c));
          });
    }
    return Pattern.compile(regex.toString());
  }
}
