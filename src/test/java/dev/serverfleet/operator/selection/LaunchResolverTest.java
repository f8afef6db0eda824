package dev.serverfleet.operator.selection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.AmiSelector;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.TagSelector;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeLaunchLookups;
import dev.serverfleet.operator.cloud.LaunchLookups.Subnet;
import dev.serverfleet.operator.selection.LaunchResolver.Resolution;
import dev.serverfleet.operator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The shared resolution of selectors: one lookup per distinct selector per refresh period whatever
 * the number of fleets, failures that name the selector, and the last good answer kept through a
 * transient error.
 */
class LaunchResolverTest {
  static final String PARAM = "/serverfleet/web/ami";
  static final String AMI_1 = "ami-0abcdef1234567890";
  static final String AMI_2 = "ami-0fedcba9876543210";
  static final Duration PERIOD = Duration.ofMinutes(5);

  final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T10:00:00Z"));
  final FakeLaunchLookups aws = new FakeLaunchLookups();
  final LaunchResolver resolver = new LaunchResolver(aws, new SelectorCache(clock, PERIOD));

  static FleetTemplate bySsm(String parameter) {
    FleetTemplate t = new FleetTemplate();
    AmiSelector s = new AmiSelector();
    s.setSsmParameter(parameter);
    t.setAmiSelector(s);
    t.setSubnetSelector(new TagSelector(Map.of("tier", "web")));
    return t;
  }

  static FleetTemplate byName(String name, List<String> owners, Map<String, String> tags) {
    FleetTemplate t = new FleetTemplate();
    AmiSelector s = new AmiSelector();
    s.setName(name);
    s.setOwners(owners);
    s.setTags(tags);
    t.setAmiSelector(s);
    t.setSubnetIds(List.of("subnet-1"));
    return t;
  }

  @Test
  void fleetsThatShareASelectorShareOneLookupPerPeriod() {
    aws.parameter(PARAM, AMI_1).subnet("subnet-b", "us-east-1b", Map.of("tier", "web"));
    aws.subnet("subnet-a", "us-east-1a", Map.of("tier", "web", "team", "shop"));

    List<Resolution> answers =
        IntStream.range(0, 50).mapToObj(n -> resolver.resolve(bySsm(PARAM))).toList();

    assertThat(answers).allSatisfy(r -> assertThat(r.resolved()).isPresent());
    assertThat(answers.get(49).resolved().get().amiId()).isEqualTo(AMI_1);
    assertThat(answers.get(49).resolved().get().subnets())
        .containsExactly(
            new Subnet("subnet-a", "us-east-1a"), new Subnet("subnet-b", "us-east-1b"));
    assertThat(aws.calls("GetParameter")).isEqualTo(1);
    assertThat(aws.calls("DescribeSubnets")).isEqualTo(1);
  }

  @Test
  void fleetsReconciledAtOnceStillMakeOneLookup() throws Exception {
    aws.parameter(PARAM, AMI_1).subnet("subnet-a", "us-east-1a", Map.of("tier", "web"));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Resolution>> answers =
          IntStream.range(0, 32)
              .mapToObj(
                  n ->
                      pool.submit(
                          () -> {
                            start.await();
                            return resolver.resolve(bySsm(PARAM));
                          }))
              .toList();
      start.countDown();
      for (var answer : answers) {
        assertThat(answer.get().resolved().orElseThrow().amiId()).isEqualTo(AMI_1);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(aws.calls("GetParameter")).isEqualTo(1);
    assertThat(aws.calls("DescribeSubnets")).isEqualTo(1);
  }

  @Test
  void equalSelectorsWrittenInAnotherOrderAreOneSelector() {
    aws.image(AMI_1, "web-1", FakeLaunchLookups.ACCOUNT, Instant.EPOCH, Map.of("a", "1", "b", "2"));
    Map<String, String> ab = new HashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    resolver.resolve(byName("web-*", List.of("self", "123456789012"), ab));
    resolver.resolve(byName("web-*", List.of("123456789012", "self"), Map.of("b", "2", "a", "1")));
    assertThat(aws.calls("DescribeImages")).isEqualTo(1);
    resolver.resolve(byName("web-1", List.of("self"), ab));
    assertThat(aws.calls("DescribeImages")).as("another selector, another lookup").isEqualTo(2);
  }

  @Test
  void aSelectorIsLookedUpAgainOnlyAfterTheRefreshPeriod() {
    aws.parameter(PARAM, AMI_1).subnet("subnet-a", "us-east-1a", Map.of("tier", "web"));
    assertThat(resolver.resolve(bySsm(PARAM)).resolved().get().amiId()).isEqualTo(AMI_1);

    aws.parameter(PARAM, AMI_2);
    clock.advance(PERIOD.minusSeconds(1));
    assertThat(resolver.resolve(bySsm(PARAM)).resolved().get().amiId())
        .as("within the period, the cached answer")
        .isEqualTo(AMI_1);
    assertThat(aws.calls("GetParameter")).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(resolver.resolve(bySsm(PARAM)).resolved().get().amiId()).isEqualTo(AMI_2);
    assertThat(aws.calls("GetParameter")).isEqualTo(2);
  }

  @Test
  void theNewestMatchingImageWins() {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    aws.image("ami-00000001", "web-1", FakeLaunchLookups.ACCOUNT, t, Map.of("role", "web"))
        .image(
            "ami-00000003",
            "web-3",
            FakeLaunchLookups.ACCOUNT,
            t.plusSeconds(60),
            Map.of("role", "web"))
        .image("ami-00000004", "web-4", "999999999999", t.plusSeconds(120), Map.of("role", "web"))
        .image("ami-00000005", "web-5", FakeLaunchLookups.ACCOUNT, t.plusSeconds(180), Map.of());

    assertThat(amiOf(byName("web-*", List.of("self"), Map.of("role", "web"))))
        .as("another owner's and an untagged newer image do not match")
        .isEqualTo("ami-00000003");
    assertThat(amiOf(byName("web-?", null, null))).isEqualTo("ami-00000005");
  }

  @Test
  void aSelectorThatMatchesNothingFailsNamingIt() {
    assertThat(resolver.resolve(bySsm("/serverfleet/none")).failure())
        .contains(
            "spec.template.amiSelector.ssmParameter /serverfleet/none: no such SSM parameter");
    assertThat(resolver.resolve(byName("web-*", List.of("self"), null)).failure())
        .contains(
            "spec.template.amiSelector (name=web-*, owners=[self], tags={}): no available image matches");
    aws.parameter(PARAM, AMI_1);
    assertThat(resolver.resolve(bySsm(PARAM)).failure())
        .contains("spec.template.subnetSelector (tags={tier=web}): no subnet carries these tags");
    aws.parameter("/serverfleet/text", "latest");
    assertThat(resolver.resolve(bySsm("/serverfleet/text")).failure())
        .contains(
            "spec.template.amiSelector.ssmParameter /serverfleet/text holds 'latest', not an AMI ID");
  }

  @Test
  void tooManySecurityGroupsIsAFailure() {
    FleetTemplate t = byName("web-*", null, null);
    aws.image(AMI_1, "web-1", FakeLaunchLookups.ACCOUNT, Instant.EPOCH, Map.of());
    t.setSecurityGroupSelector(new TagSelector(Map.of("tier", "*")));
    IntStream.range(0, 6).forEach(n -> aws.group("sg-0000000" + n, Map.of("tier", "t" + n)));
    assertThat(resolver.resolve(t).failure().orElseThrow())
        .contains("6 security groups match, at most 5 may");
  }

  @Test
  void aFailureIsRetriedSoonerThanASuccessIsRefreshedButNotAtOnce() {
    assertThat(resolver.resolve(bySsm(PARAM)).failure()).isPresent();
    assertThat(resolver.resolve(bySsm(PARAM)).failure()).isPresent();
    assertThat(aws.calls("GetParameter")).as("no hot loop").isEqualTo(1);

    aws.parameter(PARAM, AMI_1).subnet("subnet-a", "us-east-1a", Map.of("tier", "web"));
    clock.advance(SelectorCache.MAX_FAILURE_RETRY);
    assertThat(resolver.resolve(bySsm(PARAM)).resolved()).isPresent();
    assertThat(aws.calls("GetParameter")).isEqualTo(2);
  }

  @Test
  void aTransientErrorKeepsTheLastGoodAnswerARefusalDoesNot() {
    aws.parameter(PARAM, AMI_1).subnet("subnet-a", "us-east-1a", Map.of("tier", "web"));
    resolver.resolve(bySsm(PARAM));

    clock.advance(PERIOD);
    aws.failNext(
        ErrorClassifier.fromCode("GetParameter", "ThrottlingException", "Rate exceeded", 400));
    assertThat(resolver.resolve(bySsm(PARAM)).resolved().get().amiId()).isEqualTo(AMI_1);

    clock.advance(SelectorCache.MAX_FAILURE_RETRY);
    aws.failNext(
        ErrorClassifier.fromCode(
            "GetParameter",
            "AccessDeniedException",
            "not authorized to perform ssm:GetParameter",
            400));
    assertThat(resolver.resolve(bySsm(PARAM)).failure())
        .contains(
            "spec.template.amiSelector.ssmParameter /serverfleet/web/ami: GetParameter failed "
                + "(AccessDeniedException): not authorized to perform ssm:GetParameter");

    clock.advance(SelectorCache.MAX_FAILURE_RETRY);
    aws.failNext(ErrorClassifier.fromCode("GetParameter", "InternalError", "oops", 500));
    assertThat(resolver.resolve(bySsm(PARAM)).failure())
        .as("after a refusal there is no last good answer to keep")
        .isPresent();
  }

  @Test
  void idsAreTakenAsTheyAreWithoutALookup() {
    FleetTemplate t = new FleetTemplate();
    t.setAmiId(AMI_1);
    t.setSubnetIds(List.of("subnet-2", "subnet-1"));
    t.setSecurityGroupIds(List.of("sg-1"));
    var resolved = resolver.resolve(t).resolved().orElseThrow();
    assertThat(resolved.amiId()).isEqualTo(AMI_1);
    assertThat(resolved.subnetIds()).containsExactly("subnet-2", "subnet-1");
    assertThat(resolved.securityGroupIds()).containsExactly("sg-1");
    assertThat(resolved.groupsSelected()).isFalse();
    assertThat(aws.totalCalls()).isZero();
    assertThat(LaunchResolver.selects(t)).isFalse();
  }

  @Test
  void selectorsNotAskedForInThreePeriodsAreForgotten() {
    aws.parameter(PARAM, AMI_1).subnet("subnet-a", "us-east-1a", Map.of("tier", "web"));
    resolver.resolve(bySsm(PARAM));
    assertThat(resolver.cache().size()).isEqualTo(2);
    clock.advance(PERIOD.multipliedBy(3).plusSeconds(1));
    resolver.resolve(byName("x", null, null));
    assertThat(resolver.cache().size()).isEqualTo(1);
  }

  private String amiOf(FleetTemplate t) {
    return resolver.resolve(t).resolved().orElseThrow().amiId();
  }
}
