package dev.serverfleet.operator.cloud;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers every size EC2 answered for the life of the process: an instance type's vCPUs never
 * change, so after the first reconcile that needs a type, no call is made for it again. Only the
 * types not known yet are asked, in one call. A type EC2 does not know is not remembered (it is
 * asked again on the next check of a fleet that uses it, which the class holds meanwhile): the
 * catalogue grows, and an unknown type is rare and held anyway. Safe for concurrent reconciles; two
 * that miss the same type at once may both ask.
 */
public final class CachedInstanceTypes implements InstanceTypeInfo {
  private final InstanceTypeInfo delegate;
  private final Map<String, Integer> known = new ConcurrentHashMap<>();

  public CachedInstanceTypes(InstanceTypeInfo delegate) {
    this.delegate = delegate;
  }

  @Override
  public Map<String, Integer> vcpus(Collection<String> types) {
    List<String> missing =
        types.stream()
            .filter(Objects::nonNull)
            .distinct()
            .filter(t -> !known.containsKey(t))
            .toList();
    if (!missing.isEmpty()) {
      known.putAll(delegate.vcpus(missing));
    }
    Map<String, Integer> answer = new HashMap<>();
    types.stream()
        .filter(Objects::nonNull)
        .filter(known::containsKey)
        .forEach(t -> answer.put(t, known.get(t)));
    return answer;
  }
}
