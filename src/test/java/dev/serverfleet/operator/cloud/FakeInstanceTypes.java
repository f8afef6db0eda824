package dev.serverfleet.operator.cloud;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link InstanceTypeInfo} in memory, answering as {@link AwsInstanceTypes} does: the sizes of the
 * types it knows (a few common ones by default, as EC2 and moto 5.2.1 give them), unknown types
 * absent, and on demand the next call failing. Records every call's types.
 */
public final class FakeInstanceTypes implements InstanceTypeInfo {
  private final Map<String, Integer> sizes = new HashMap<>();
  private final List<List<String>> calls = new ArrayList<>();
  private CloudException nextFailure;

  public FakeInstanceTypes() {
    sizes.putAll(
        Map.of(
            "t3.nano", 2,
            "t3.micro", 2,
            "t3.small", 2,
            "m5.large", 2,
            "m7g.large", 2,
            "c5.xlarge", 4,
            "c5.2xlarge", 8));
  }

  public FakeInstanceTypes with(String type, int vcpus) {
    sizes.put(type, vcpus);
    return this;
  }

  /** The next call throws this (once). */
  public void failNext(CloudException failure) {
    nextFailure = failure;
  }

  public synchronized List<List<String>> calls() {
    return List.copyOf(calls);
  }

  @Override
  public synchronized Map<String, Integer> vcpus(Collection<String> types) {
    if (types.isEmpty()) {
      return Map.of();
    }
    calls.add(List.copyOf(types));
    if (nextFailure != null) {
      CloudException failure = nextFailure;
      nextFailure = null;
      throw failure;
    }
    Map<String, Integer> answer = new HashMap<>();
    types.stream().filter(sizes::containsKey).forEach(t -> answer.put(t, sizes.get(t)));
    return answer;
  }
}
