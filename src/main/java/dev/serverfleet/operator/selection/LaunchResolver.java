package dev.serverfleet.operator.selection;

import dev.serverfleet.operator.api.v1alpha1.AmiSelector;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.TagSelector;
import dev.serverfleet.operator.cloud.LaunchLookups;
import dev.serverfleet.operator.cloud.LaunchLookups.Subnet;
import dev.serverfleet.operator.selection.SelectorCache.Answer;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a fleet template's AMI, subnets and security groups into IDs: given IDs as they are,
 * selectors through the shared {@link SelectorCache} (one lookup per distinct selector per period).
 * A selector that matches nothing, an SSM parameter that does not exist or holds no AMI ID, and a
 * refused lookup resolve to a failure naming the selector; the fleet then launches and terminates
 * nothing.
 */
public final class LaunchResolver {
  /** The most subnets a selection may have, as subnetIds. */
  static final int MAX_SUBNETS = 16;

  /** EC2's limit of security groups per network interface, as securityGroupIds. */
  static final int MAX_GROUPS = 5;

  private static final String AMI_PATTERN = FleetTemplate.AMI_PATTERN;

  /**
   * What a template resolved to.
   *
   * @param subnets sorted by ID; zones only for selected subnets
   * @param securityGroupIds sorted when selected, as given otherwise (empty: the VPC's default)
   * @param groupsSelected whether securityGroupSelector chose them
   */
  public record Resolved(
      String amiId, List<Subnet> subnets, List<String> securityGroupIds, boolean groupsSelected) {
    public List<String> subnetIds() {
      return subnets.stream().map(Subnet::id).toList();
    }
  }

  /** A resolution, or why there is none. */
  public record Resolution(Optional<Resolved> resolved, Optional<String> failure) {
    static Resolution failed(String why) {
      return new Resolution(Optional.empty(), Optional.of(why));
    }
  }

  private record SsmKey(String name) {}

  private record ImageKey(String name, List<String> owners, Map<String, String> tags) {}

  private record SubnetKey(Map<String, String> tags) {}

  private record GroupKey(Map<String, String> tags) {}

  private final LaunchLookups lookups;
  private final SelectorCache cache;

  public LaunchResolver(LaunchLookups lookups, SelectorCache cache) {
    this.lookups = lookups;
    this.cache = cache;
  }

  /** How often a selector is looked up again unless configured otherwise. */
  public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

  /** For a loop started without lookups: a template with a selector fails to resolve. */
  public static LaunchResolver unconfigured(java.time.Clock clock) {
    return new LaunchResolver(LaunchLookups.NONE, new SelectorCache(clock, DEFAULT_REFRESH));
  }

  public SelectorCache cache() {
    return cache;
  }

  /** Whether the template has anything to look up (and so needs a pass every refresh period). */
  public static boolean selects(FleetTemplate t) {
    return t.getAmiSelector() != null
        || t.getSubnetSelector() != null
        || t.getSecurityGroupSelector() != null;
  }

  public Resolution resolve(FleetTemplate t) {
    Answer<String> ami =
        t.getAmiSelector() == null ? Answer.of(t.getAmiId()) : image(t.getAmiSelector());
    if (!ami.ok()) {
      return Resolution.failed(ami.failure());
    }
    Answer<List<Subnet>> subnets =
        t.getSubnetSelector() == null
            ? Answer.of(
                Optional.ofNullable(t.getSubnetIds()).orElse(List.of()).stream()
                    .map(id -> new Subnet(id, null))
                    .toList())
            : subnets(t.getSubnetSelector());
    if (!subnets.ok()) {
      return Resolution.failed(subnets.failure());
    }
    Answer<List<String>> groups =
        t.getSecurityGroupSelector() == null
            ? Answer.of(Optional.ofNullable(t.getSecurityGroupIds()).orElse(List.of()))
            : groups(t.getSecurityGroupSelector());
    if (!groups.ok()) {
      return Resolution.failed(groups.failure());
    }
    return new Resolution(
        Optional.of(
            new Resolved(
                ami.value(),
                subnets.value(),
                groups.value(),
                t.getSecurityGroupSelector() != null)),
        Optional.empty());
  }

  private Answer<String> image(AmiSelector s) {
    if (s.getSsmParameter() != null) {
      String name = s.getSsmParameter();
      String what = "spec.template.amiSelector.ssmParameter " + name;
      return cache.get(
          new SsmKey(name),
          () ->
              lookups
                  .ssmParameter(name)
                  .map(
                      v ->
                          v.trim().matches(AMI_PATTERN)
                              ? Answer.of(v.trim())
                              : Answer.<String>failed(what + " holds '" + v + "', not an AMI ID"))
                  .orElseGet(() -> Answer.failed(what + ": no such SSM parameter")),
          what);
    }
    List<String> owners =
        Optional.ofNullable(s.getOwners()).orElse(List.of()).stream().sorted().distinct().toList();
    Map<String, String> tags = sorted(s.getTags());
    String what =
        "spec.template.amiSelector (name="
            + Objects.requireNonNullElse(s.getName(), "*")
            + ", owners="
            + owners
            + ", tags="
            + tags
            + ")";
    return cache.get(
        new ImageKey(s.getName(), owners, tags),
        () ->
            ImageChoice.newest(lookups.images(s.getName(), owners, tags))
                .map(i -> Answer.of(i.id()))
                .orElseGet(() -> Answer.failed(what + ": no available image matches")),
        what);
  }

  private Answer<List<Subnet>> subnets(TagSelector s) {
    Map<String, String> tags = sorted(s.getTags());
    String what = "spec.template.subnetSelector (tags=" + tags + ")";
    return cache.get(
        new SubnetKey(tags),
        () -> {
          List<Subnet> found =
              lookups.subnets(tags).stream()
                  .distinct()
                  .sorted(Comparator.comparing(Subnet::id))
                  .toList();
          if (found.isEmpty()) {
            return Answer.failed(what + ": no subnet carries these tags");
          }
          if (found.size() > MAX_SUBNETS) {
            return Answer.failed(
                what + ": " + found.size() + " subnets match, at most " + MAX_SUBNETS + " may");
          }
          return Answer.of(found);
        },
        what);
  }

  private Answer<List<String>> groups(TagSelector s) {
    Map<String, String> tags = sorted(s.getTags());
    String what = "spec.template.securityGroupSelector (tags=" + tags + ")";
    return cache.get(
        new GroupKey(tags),
        () -> {
          List<String> found = lookups.securityGroups(tags).stream().distinct().sorted().toList();
          if (found.isEmpty()) {
            return Answer.failed(what + ": no security group carries these tags");
          }
          if (found.size() > MAX_GROUPS) {
            return Answer.failed(
                what
                    + ": "
                    + found.size()
                    + " security groups match, at most "
                    + MAX_GROUPS
                    + " may (EC2's limit per interface)");
          }
          return Answer.of(found);
        },
        what);
  }

  /** Sorted, so that equal selectors make equal keys and messages read the same. */
  private static Map<String, String> sorted(Map<String, String> tags) {
    return tags == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(tags));
  }

  public Duration refreshPeriod() {
    return cache.period();
  }

  public Duration retryAfterFailure() {
    return cache.retryAfterFailure();
  }
}
