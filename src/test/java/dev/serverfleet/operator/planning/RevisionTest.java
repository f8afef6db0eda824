package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.fleet.InstanceOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionTest {

  private static final LaunchSettings BASE =
      new LaunchSettings(
          "ami-0123456789abcdef0",
          List.of("t3.micro"),
          List.of("sg-1", "sg-2"),
          "ops-key",
          "web-profile",
          "#!/bin/sh\necho hi\n",
          false,
          true,
          LaunchSettings.DEFAULT_HOP_LIMIT,
          Map.of("team", "web", "env", "prod"));

  @Test
  void isTenLowercaseHexCharacters() {
    assertThat(Revision.of(BASE)).matches("[0-9a-f]{10}");
  }

  /**
   * Computed from the canonical form of the revision before volumes and instance options existed
   * (the same fields, length-prefixed, SHA-256): a fleet that uses none of them keeps its revision
   * when the operator is upgraded, so the upgrade rolls nothing.
   */
  @Test
  void aFleetWithoutInstanceOptionsKeepsItsRevisionFromBeforeTheyExisted() {
    assertThat(BASE.instanceOptions()).isEqualTo(InstanceOptions.NONE);
    assertThat(Revision.of(BASE)).isEqualTo("5b193531bb");
  }

  @Test
  void ignoresTheOrderOfBlockDeviceMappings() {
    var root = volume("/dev/xvda", 20);
    var data = volume("/dev/sdf", 100);

    assertThat(Revision.of(withOptions(options(List.of(root, data), null, false))))
        .isEqualTo(Revision.of(withOptions(options(List.of(data, root), null, false))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optionChanges")
  void changesWhenAnInstanceOptionChanges(InstanceOptions changed) {
    assertThat(Revision.of(withOptions(changed))).isNotEqualTo(Revision.of(BASE));
  }

  static Stream<Arguments> optionChanges() {
    var root = volume("/dev/xvda", 20);
    return Stream.of(
        option("a root volume", options(List.of(root), null, false)),
        option("root volume size", options(List.of(volume("/dev/xvda", 21)), null, false)),
        option(
            "volume type",
            options(
                List.of(
                    new InstanceOptions.BlockDevice(
                        "/dev/xvda", 20, "gp2", null, null, true, null, null, true)),
                null,
                false)),
        option(
            "not encrypted",
            options(
                List.of(
                    new InstanceOptions.BlockDevice(
                        "/dev/xvda", 20, "gp3", null, null, false, null, null, true)),
                null,
                false)),
        option(
            "kept after termination",
            options(
                List.of(
                    new InstanceOptions.BlockDevice(
                        "/dev/xvda", 20, "gp3", null, null, true, null, null, false)),
                null,
                false)),
        option(
            "placement group",
            options(List.of(), new InstanceOptions.Placement("web", null, null), false)),
        option(
            "dedicated tenancy",
            options(List.of(), new InstanceOptions.Placement(null, "dedicated", null), false)),
        option("detailed monitoring", options(List.of(), null, true)),
        option(
            "cpu options",
            new InstanceOptions(
                List.of(),
                null,
                new InstanceOptions.CpuOptions(2, 1),
                null,
                false,
                false,
                false,
                null,
                false,
                null,
                null)),
        option(
            "credits",
            new InstanceOptions(
                List.of(), null, null, "unlimited", false, false, false, null, false, null, null)),
        option(
            "ebs optimized",
            new InstanceOptions(
                List.of(), null, null, null, true, false, false, null, false, null, null)),
        option(
            "hibernation",
            new InstanceOptions(
                List.of(), null, null, null, false, false, true, null, false, null, null)),
        option(
            "capacity reservation",
            new InstanceOptions(
                List.of(),
                null,
                null,
                null,
                false,
                false,
                false,
                new InstanceOptions.CapacityReservation("none", null, null),
                false,
                null,
                null)),
        option(
            "terminate on shutdown",
            new InstanceOptions(
                List.of(), null, null, null, false, false, false, null, true, null, null)),
        option(
            "no public ip (explicitly)",
            new InstanceOptions(
                List.of(), null, null, null, false, false, false, null, false, false, null)),
        option(
            "no ipv6 address (explicitly)",
            new InstanceOptions(
                List.of(), null, null, null, false, false, false, null, false, null, 0)),
        // the same value in another option's place is another template
        option(
            "volume/device boundary",
            options(
                List.of(
                    new InstanceOptions.BlockDevice(
                        "/dev/xvda", null, "gp3", 20, null, true, null, null, true)),
                null,
                false)));
  }

  @Test
  void isStableForEqualSettings() {
    LaunchSettings copy =
        new LaunchSettings(
            BASE.amiId(),
            BASE.instanceTypes(),
            List.copyOf(BASE.securityGroupIds()),
            BASE.keyName(),
            BASE.iamInstanceProfile(),
            BASE.userData(),
            BASE.spot(),
            BASE.httpTokensRequired(),
            BASE.httpPutResponseHopLimit(),
            Map.copyOf(BASE.tags()));

    assertThat(Revision.of(copy)).isEqualTo(Revision.of(BASE)).isEqualTo(Revision.of(BASE));
  }

  @Test
  void ignoresTagOrder() {
    Map<String, String> oneWay = new LinkedHashMap<>();
    oneWay.put("team", "web");
    oneWay.put("env", "prod");
    oneWay.put("cost-center", "42");
    Map<String, String> otherWay = new LinkedHashMap<>();
    otherWay.put("cost-center", "42");
    otherWay.put("env", "prod");
    otherWay.put("team", "web");

    assertThat(Revision.of(withTags(oneWay))).isEqualTo(Revision.of(withTags(otherWay)));
  }

  @Test
  void treatsNoTagsAndAbsentTagsAlike() {
    assertThat(Revision.of(withTags(null))).isEqualTo(Revision.of(withTags(Map.of())));
  }

  /**
   * The hash the operator gave this template before instanceTypes existed (computed by the build of
   * main at afc8bb1): a fleet with one type keeps its revision across the upgrade, so nothing
   * rolls.
   */
  @Test
  void oneInstanceTypeHashesAsTheSingleInstanceTypeAlwaysDid() {
    assertThat(Revision.of(BASE)).isEqualTo("5b193531bb");
  }

  @Test
  void aListOfOneIsTheSameRevisionAsTheSingleType() {
    // SpecDefaults turns instanceType: t3.micro and instanceTypes: [t3.micro] into this same list
    // (InstanceTypesDefaultsTest); the hash sees nothing else
    assertThat(Revision.of(withTypes(List.of("t3.micro")))).isEqualTo(Revision.of(BASE));
  }

  @Test
  void reorderingTheTypesIsANewRevision() {
    assertThat(Revision.of(withTypes(List.of("t3.micro", "t3.small"))))
        .isNotEqualTo(Revision.of(withTypes(List.of("t3.small", "t3.micro"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void changesWhenALaunchSettingChanges(UnaryOperator<LaunchSettings> change) {
    LaunchSettings changed = change.apply(BASE);

    assertThat(changed).isNotEqualTo(BASE);
    assertThat(Revision.of(changed)).isNotEqualTo(Revision.of(BASE));
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        change(
            "amiId",
            s ->
                new LaunchSettings(
                    "ami-0fedcba9876543210",
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "instanceType",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    List.of("t3.small"),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "securityGroupIds: one more",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    List.of("sg-1", "sg-2", "sg-3"),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "securityGroupIds: one fewer",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    List.of("sg-1"),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "keyName",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    "other-key",
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "keyName removed",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    null,
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "iamInstanceProfile",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    "other-profile",
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "userData",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    "#!/bin/sh\necho bye\n",
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "spot",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    !s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "httpTokensRequired",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    !s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())),
        change(
            "httpPutResponseHopLimit",
            s ->
                new LaunchSettings(
                    s.amiId(),
                    s.instanceTypes(),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    1,
                    s.tags())),
        change("tag value", s -> withTags(Map.of("team", "web", "env", "staging"))),
        change("tag added", s -> withTags(Map.of("team", "web", "env", "prod", "owner", "me"))),
        change("fallback type added", s -> withTypes(List.of("t3.micro", "t3.small"))),
        change("type replaced in a list", s -> withTypes(List.of("t3.small"))),
        change("preferred type moved behind", s -> withTypes(List.of("t3.small", "t3.micro"))),
        change("tag removed", s -> withTags(Map.of("team", "web"))),
        change("tag key renamed", s -> withTags(Map.of("team", "web", "environment", "prod"))),
        // the canonical form is length-prefixed: moving characters across a boundary is a change
        change(
            "tag key/value boundary moved", s -> withTags(Map.of("team", "web", "env=p", "rod"))),
        change(
            "ami/type boundary moved",
            s ->
                new LaunchSettings(
                    "ami-0123456789abcdef0t3",
                    List.of(".micro"),
                    s.securityGroupIds(),
                    s.keyName(),
                    s.iamInstanceProfile(),
                    s.userData(),
                    s.spot(),
                    s.httpTokensRequired(),
                    s.httpPutResponseHopLimit(),
                    s.tags())));
  }

  private static Arguments change(String name, UnaryOperator<LaunchSettings> change) {
    return Arguments.of(Named.of(name, change));
  }

  private static LaunchSettings withTypes(List<String> types) {
    return new LaunchSettings(
        BASE.amiId(),
        types,
        BASE.securityGroupIds(),
        BASE.keyName(),
        BASE.iamInstanceProfile(),
        BASE.userData(),
        BASE.spot(),
        BASE.httpTokensRequired(),
        BASE.httpPutResponseHopLimit(),
        BASE.tags());
  }

  private static LaunchSettings withTags(Map<String, String> tags) {
    return new LaunchSettings(
        BASE.amiId(),
        BASE.instanceTypes(),
        BASE.securityGroupIds(),
        BASE.keyName(),
        BASE.iamInstanceProfile(),
        BASE.userData(),
        BASE.spot(),
        BASE.httpTokensRequired(),
        BASE.httpPutResponseHopLimit(),
        tags);
  }

  private static Arguments option(String name, InstanceOptions options) {
    return Arguments.of(Named.of(name, options));
  }

  private static InstanceOptions.BlockDevice volume(String device, int size) {
    return new InstanceOptions.BlockDevice(device, size, "gp3", null, null, true, null, null, true);
  }

  private static InstanceOptions options(
      List<InstanceOptions.BlockDevice> volumes,
      InstanceOptions.Placement placement,
      boolean detailedMonitoring) {
    return new InstanceOptions(
        volumes, placement, null, null, false, detailedMonitoring, false, null, false, null, null);
  }

  private static LaunchSettings withOptions(InstanceOptions options) {
    return new LaunchSettings(
        BASE.amiId(),
        BASE.instanceTypes(),
        BASE.securityGroupIds(),
        BASE.keyName(),
        BASE.iamInstanceProfile(),
        BASE.userData(),
        BASE.spot(),
        BASE.httpTokensRequired(),
        BASE.httpPutResponseHopLimit(),
        BASE.tags(),
        options);
  }
}
