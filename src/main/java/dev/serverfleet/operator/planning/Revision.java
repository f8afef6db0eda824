package dev.serverfleet.operator.planning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * The revision of a launch template: a short, stable hash of the settings an instance is launched
 * with, after defaults are applied and maps sorted, so that writing a default explicitly or
 * reordering tags never changes it. Subnets are placement, not launch settings, and are left out:
 * adding a subnet rebalances the fleet, it does not replace every instance.
 */
public final class Revision {
  private Revision() {}

  public static String of(LaunchSettings s) {
    return of(s, null);
  }

  /**
   * @param restartedAt the fleet's {@code serverfleet.dev/restartedAt} annotation, or null: a new
   *     value gives a new revision, so every instance is replaced (like kubectl rollout restart)
   */
  public static String of(LaunchSettings s, String restartedAt) {
    StringBuilder canonical = new StringBuilder();
    if (restartedAt != null) {
      field(canonical, "restartedAt", restartedAt);
    }
    field(canonical, "amiId", s.amiId());
    // in order: the order is the preference. One type hashes as the single instanceType always did,
    // so instanceType: x and instanceTypes: [x] are the same revision (no rollout to migrate).
    // Unambiguous: an instance type never contains a comma (the CRD's pattern).
    field(canonical, "instanceType", String.join(",", s.instanceTypes()));
    // sorted: the order of security groups changes nothing about an instance
    field(
        canonical,
        "securityGroupIds",
        String.join(",", new java.util.TreeSet<>(s.securityGroupIds())));
    field(canonical, "keyName", s.keyName());
    field(canonical, "iamInstanceProfile", s.iamInstanceProfile());
    field(canonical, "userData", s.userData());
    field(canonical, "spot", String.valueOf(s.spot()));
    field(canonical, "httpTokensRequired", String.valueOf(s.httpTokensRequired()));
    field(canonical, "hopLimit", String.valueOf(s.httpPutResponseHopLimit()));
    new TreeMap<>(s.tags()).forEach((k, v) -> field(canonical, "tag:" + k, v));
    s.instanceOptions().forEachSetting((name, value) -> field(canonical, name, value));
    if (s.launchTemplate() != null) {
      // the template's id and resolved number, never how they were asked for (name, $Latest):
      // the revision changes when what is launched does, and a fleet without one keeps its hash
      field(canonical, "launchTemplate", s.launchTemplate().id());
      field(canonical, "launchTemplateVersion", String.valueOf(s.launchTemplate().version()));
    }
    return HexFormat.of().formatHex(sha256(canonical.toString())).substring(0, 10);
  }

  private static void field(StringBuilder b, String name, String value) {
    // length-prefixed so that no choice of values can make two different templates collide
    String v = value == null ? "" : value;
    b.append(name).append('=').append(v.length()).append(':').append(v).append('\n');
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
