package dev.serverfleet.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.cloud.ErrorClassifier;
import dev.serverfleet.operator.cloud.FakeLaunchTemplates;
import dev.serverfleet.operator.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shared cache of launch template versions: calls per refresh, failures, the last good. */
class LaunchTemplateResolverTest {
  static final Duration REFRESH = Duration.ofSeconds(30);

  final MutableClock clock = new MutableClock();
  final FakeLaunchTemplates ec2 = new FakeLaunchTemplates();
  final LaunchTemplateResolver resolver = new LaunchTemplateResolver(ec2, REFRESH, clock);

  static LaunchTemplateRef ref(String id, String name, String version) {
    LaunchTemplateRef r = new LaunchTemplateRef();
    r.setId(id);
    r.setName(name);
    r.setVersion(version);
    return r;
  }

  @Test
  void aHundredFleetsOnOneTemplateCostOneCallPerRefresh() {
    String id = ec2.create("web", "ami-1", "t3.micro");
    for (int pass = 0; pass < 3; pass++) {
      for (int fleet = 0; fleet < 100; fleet++) {
        assertThat(resolver.resolve(ref(id, null, "$Latest")).version()).isPresent();
      }
      clock.advance(REFRESH.dividedBy(3));
    }
    assertThat(ec2.describeCalls()).as("within one refresh period").isEqualTo(1);

    clock.advance(REFRESH);
    for (int fleet = 0; fleet < 100; fleet++) {
      resolver.resolve(ref(id, null, "$Latest"));
    }
    assertThat(ec2.describeCalls()).isEqualTo(2);
  }

  @Test
  void fleetsAskingAtOnceShareTheCallInFlight() throws Exception {
    String id = ec2.create("web", "ami-1", "t3.micro");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> asked = new ArrayList<>();
      for (int n = 0; n < 8; n++) {
        asked.add(
            pool.submit(
                () -> {
                  start.await();
                  return resolver.resolve(ref(id, null, "$Latest"));
                }));
      }
      start.countDown();
      for (Future<?> f : asked) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ec2.describeCalls()).isEqualTo(1);
  }

  @Test
  void aNewLatestIsSeenAtTheNextRefreshNotBefore() {
    String id = ec2.create("web", "ami-1", "t3.micro");
    assertThat(resolver.resolve(ref(id, null, "$Latest")).version().get().version()).isEqualTo(1);
    ec2.addVersion(id, "ami-2", "t3.micro");

    clock.advance(REFRESH.minusSeconds(1));
    assertThat(resolver.resolve(ref(id, null, "$Latest")).version().get().version()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(resolver.resolve(ref(id, null, "$Latest")).version().get().version()).isEqualTo(2);
  }

  @Test
  void versionDefaultsToDefaultAndEachReferenceIsItsOwnEntry() {
    String id = ec2.create("web", "ami-1", "t3.micro");
    ec2.addVersion(id, "ami-2", "t3.micro");

    assertThat(resolver.resolve(ref(id, null, null)).version().get().version()).isEqualTo(1);
    assertThat(resolver.resolve(ref(id, null, "$Default")).version().get().version()).isEqualTo(1);
    assertThat(resolver.resolve(ref(null, "web", "$Latest")).version().get().version())
        .isEqualTo(2);
    assertThat(ec2.describeCalls()).as("null and $Default are one entry").isEqualTo(2);
  }

  @Test
  void aTerminalFailureIsReportedAndAskedAgainOnlyAfterARefresh() {
    LaunchTemplateResolver.Resolution r = resolver.resolve(ref(null, "gone", "$Latest"));
    assertThat(r.version()).isEmpty();
    assertThat(r.failure().orElseThrow())
        .startsWith("spec.template.launchTemplate: launch template gone version $Latest: ")
        .endsWith("(InvalidLaunchTemplateName.NotFoundException)");
    resolver.resolve(ref(null, "gone", "$Latest"));
    assertThat(ec2.describeCalls()).as("no hot loop").isEqualTo(1);
  }

  @Test
  void aTerminalFailureAfterAGoodAnswerStopsTheFleet() {
    String id = ec2.create("web", "ami-1", "t3.micro");
    resolver.resolve(ref(id, null, "$Latest"));
    ec2.delete(id);
    clock.advance(REFRESH);
    assertThat(resolver.resolve(ref(id, null, "$Latest")).failure())
        .hasValueSatisfying(m -> assertThat(m).contains(id, "InvalidLaunchTemplateId.NotFound"));
  }

  @Test
  void aRetryableFailureKeepsTheLastGoodVersion() {
    String id = ec2.create("web", "ami-1", "t3.micro");
    resolver.resolve(ref(id, null, "$Latest"));
    ec2.failNext(
        ErrorClassifier.fromCode("DescribeLaunchTemplateVersions", "InternalError", "oops", 500));
    clock.advance(REFRESH);

    LaunchTemplateResolver.Resolution r = resolver.resolve(ref(id, null, "$Latest"));
    assertThat(r.version().get().version()).isEqualTo(1);
    assertThat(r.failure()).isEmpty();
  }

  @Test
  void aRetryableFailureWithoutAGoodAnswerSaysNotYet() {
    ec2.failNext(
        ErrorClassifier.fromCode("DescribeLaunchTemplateVersions", "InternalError", "oops", 500));
    assertThat(resolver.resolve(ref(null, "web", "2")).failure())
        .hasValueSatisfying(m -> assertThat(m).contains("could not be resolved yet", "oops"));
  }
}
