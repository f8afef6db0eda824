package dev.serverfleet.operator.cloud;

import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Launch templates in memory, as EC2 documents them: versions numbered from 1, $Latest the highest,
 * $Default the one set as default (1 until changed), an unknown template or version a terminal
 * InvalidLaunchTemplate* error. Counts DescribeLaunchTemplateVersions calls, and can fail the next
 * ones with a given error. {@link FakeEc2} launches from them as RunInstances does: what the
 * request leaves out (image, instance type) comes from the version.
 */
public final class FakeLaunchTemplates implements LaunchTemplates {
  private static final String DESCRIBE = "DescribeLaunchTemplateVersions";

  private record Template(String id, String name, List<LaunchTemplateVersion> versions) {}

  private final Map<String, Template> byId = new LinkedHashMap<>();
  private final Map<String, Integer> defaults = new LinkedHashMap<>();
  private final AtomicInteger describeCalls = new AtomicInteger();
  private final List<CloudException> nextFailures = new ArrayList<>();
  private int nextId = 1;

  /** A new template with version 1 setting the given image and type (either may be null). */
  public synchronized String create(String name, String imageId, String instanceType) {
    String id = String.format("lt-%017x", nextId++);
    byId.put(id, new Template(id, name, new ArrayList<>()));
    defaults.put(id, 1);
    addVersion(id, imageId, instanceType);
    return id;
  }

  /** A new version (the next number), which becomes $Latest; returns its number. */
  public synchronized long addVersion(String id, String imageId, String instanceType) {
    Template t = byId.get(id);
    long number = t.versions().size() + 1L;
    t.versions()
        .add(new LaunchTemplateVersion(id, t.name(), number, imageId, instanceType, null, null));
    return number;
  }

  public synchronized void setDefault(String id, int version) {
    defaults.put(id, version);
  }

  public synchronized void delete(String id) {
    byId.remove(id);
  }

  /** The next describes fail with these errors, in order. */
  public synchronized void failNext(CloudException... errors) {
    nextFailures.addAll(List.of(errors));
  }

  public int describeCalls() {
    return describeCalls.get();
  }

  @Override
  public synchronized LaunchTemplateVersion describe(String id, String name, String version) {
    describeCalls.incrementAndGet();
    if (!nextFailures.isEmpty()) {
      throw nextFailures.remove(0);
    }
    Template t = find(id, name);
    int number =
        switch (version) {
          case "$Latest" -> t.versions().size();
          case "$Default" -> defaults.get(t.id());
          default -> Integer.parseInt(version);
        };
    if (number < 1 || number > t.versions().size()) {
      throw ErrorClassifier.fromCode(
          DESCRIBE,
          "InvalidLaunchTemplateId.VersionNotFound",
          "Could not find the specified version " + version + " for the launch template " + t.id(),
          400);
    }
    return t.versions().get(number - 1);
  }

  private Template find(String id, String name) {
    Template t =
        id != null
            ? byId.get(id)
            : byId.values().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    if (t == null) {
      throw id != null
          ? ErrorClassifier.fromCode(
              DESCRIBE,
              "InvalidLaunchTemplateId.NotFound",
              "The specified launch template, with template ID " + id + ", does not exist.",
              400)
          : ErrorClassifier.fromCode(
              DESCRIBE,
              "InvalidLaunchTemplateName.NotFoundException",
              "The specified launch template, with template name " + name + ", does not exist.",
              400);
    }
    return t;
  }

  /**
   * The request as EC2 carries it out: the version's image and type where the request has none. An
   * unknown template or version is refused as RunInstances refuses it.
   */
  synchronized LaunchRequest applied(LaunchRequest r) {
    LaunchTemplateVersion asked = r.launchTemplate();
    if (asked == null) {
      return r;
    }
    Template t = byId.get(asked.id());
    if (t == null || asked.version() > t.versions().size()) {
      throw ErrorClassifier.fromCode(
          "RunInstances",
          "InvalidLaunchTemplateId.NotFound",
          "At least one of the launch templates specified in the request does not exist.",
          400);
    }
    LaunchTemplateVersion v = t.versions().get((int) asked.version() - 1);
    return new LaunchRequest(
        r.clientToken(),
        r.subnetId(),
        r.count(),
        r.imageId() != null ? r.imageId() : v.imageId(),
        r.instanceType() != null ? r.instanceType() : v.instanceType(),
        r.securityGroupIds(),
        r.keyName(),
        r.iamInstanceProfile(),
        r.userData(),
        r.spot(),
        r.httpTokensRequired(),
        r.httpPutResponseHopLimit(),
        r.tags(),
        r.instanceOptions(),
        r.launchTemplate());
  }
}
