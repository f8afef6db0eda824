package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.Ec2Buckets;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.ProxiedOperatorTestBed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RunInstances' resource bucket, small so the test stays short: the fault proxy meters an account
 * whose instance bucket holds 20 instances refilled at 2 per second (EC2's default is 1,000 at 2),
 * and the operator is told so by {@code --ec2-rate-limits=run-instances=20/2} (it keeps 16 at 1.8
 * per second). Three fleets are applied at once: one launches 20 instances in one call, more than
 * the client's burst (it waits for a full bucket, not forever), two launch 10 each; 40 instances
 * against 20 means launches wait for their instances on the client, and none is refused. A client
 * that counted requests only would send a launch into an empty bucket (Ec2FaultProxyIT shows the
 * proxy refusing one).
 */
class InstanceBucketIT extends ProxiedOperatorTestBed {
  private static final Logger log = LoggerFactory.getLogger(InstanceBucketIT.class);

  @BeforeAll
  static void meteredOperatorWithASmallInstanceBucket() {
    stopOperator();
    proxy.meterLikeAnAccount(20, 2);
    startOperator(
        Duration.ofSeconds(5),
        true,
        false,
        c -> c.withEc2RateLimits(Ec2Buckets.parse("run-instances=20/2")));
  }

  @Test
  void launchesWaitForTheirInstancesOnTheClientAndNoneIsRefused() {
    MotoServer.Network network = moto.createNetwork(1);
    String ns = newNamespace();
    proxy.clearCalls();
    // 40 instances at once against an account of 20: whatever their order, launches wait
    ServerFleet big = create(fleet(ns, "big", 20, network));
    List<ServerFleet> small =
        List.of(
            create(fleet(ns, "small-a", 10, network)), create(fleet(ns, "small-b", 10, network)));
    awaitReady(big, 20);
    small.forEach(f -> awaitReady(f, 10));

    List<Ec2Call> runs =
        proxy.calls().stream().filter(c -> c.action().equals("RunInstances")).toList();
    var waits = registry.get("serverfleet.ec2.rate.wait").tag("class", "run").timer();
    // printed, not asserted: how long the client waited depends on when the fleets' passes ran
    log.info(
        "RunInstances: {} (instances {}, sent {}); client waits for run: {} calls, {} ms in all",
        runs.stream().map(c -> c.outcome().toString()).toList(),
        runs.stream().map(Ec2Call::minCount).toList(),
        runs.stream().map(c -> c.start().toString()).toList(),
        waits.count(),
        waits.totalTime(TimeUnit.MILLISECONDS));
    assertThat(proxy.calls())
        .as("no call refused for the account's limits")
        .noneMatch(c -> c.outcome() == Ec2Call.Outcome.THROTTLED);
    assertThat(runs)
        .as("one launch per fleet: 20, then 10 and 10")
        .extracting(Ec2Call::minCount)
        .containsExactlyInAnyOrder(20, 10, 10);
  }
}
