package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.DrainStatus;
import dev.serverfleet.operator.api.v1alpha1.HealthCheck;
import dev.serverfleet.operator.api.v1alpha1.HealthCheckType;
import dev.serverfleet.operator.api.v1alpha1.LoadBalancer;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.AwsTargetGroups;
import dev.serverfleet.operator.cloud.CachedTargetGroups;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.testing.AwsCallLog;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupAttribute;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/**
 * spec.loadBalancer on the real API server and moto's ELBv2, with the operator in process: the
 * instances are registered in a VPC target group created in moto (read back from moto's
 * DescribeTargetHealth), and a scale-in deregisters the instance and waits the target group's
 * deregistration delay before TerminateInstances; the order and the wait are read from the requests
 * the operator's EC2 and ELBv2 clients put on the wire ({@link AwsCallLog}). Moto reports every
 * registered target healthy at once and drops a deregistered one at once (no draining): initial,
 * unhealthy and draining targets are proven against {@code FakeTargetGroups} in {@code
 * LoadBalancerLoopTest}.
 */
class LoadBalancerIT extends OperatorTestBed {
  private static final int DELAY_SECONDS = 3;
  private static final AwsCallLog calls = new AwsCallLog();
  private static Ec2Client recordedEc2;
  private static ElasticLoadBalancingV2Client recordedElb;
  private static ElasticLoadBalancingV2Client elb;

  @BeforeAll
  static void operatorWithRecordingClients() {
    var credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    recordedEc2 =
        Ec2Client.builder()
            .credentialsProvider(credentials)
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(calls))
            .build();
    recordedElb =
        ElasticLoadBalancingV2Client.builder()
            .credentialsProvider(credentials)
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(calls))
            .build();
    elb =
        AwsTargetGroups.client(MotoServer.REGION, Optional.of(moto.endpoint()), false, credentials);
    stopOperator();
    startOperator(
        new AwsEc2(recordedEc2), new CachedTargetGroups(new AwsTargetGroups(recordedElb)));
  }

  @AfterAll
  static void closeClients() {
    stopOperator();
    recordedEc2.close();
    recordedElb.close();
    elb.close();
  }

  private static String targetGroup(String vpcId, String name) {
    String arn =
        elb.createTargetGroup(
                r -> r.name(name).protocol("HTTP").port(80).vpcId(vpcId).targetType("instance"))
            .targetGroups()
            .get(0)
            .targetGroupArn();
    elb.modifyTargetGroupAttributes(
        r ->
            r.targetGroupArn(arn)
                .attributes(
                    TargetGroupAttribute.builder()
                        .key("deregistration_delay.timeout_seconds")
                        .value(String.valueOf(DELAY_SECONDS))
                        .build()));
    return arn;
  }

  /** moto's DescribeTargetHealth for the group, by instance: state, or the reason it is unused. */
  private static Map<String, String> health(String arn, List<String> ids) {
    return elb
        .describeTargetHealth(
            r ->
                r.targetGroupArn(arn)
                    .targets(
                        ids.stream()
                            .map(
                                id ->
                                    software.amazon.awssdk.services.elasticloadbalancingv2.model
                                        .TargetDescription.builder()
                                        .id(id)
                                        .build())
                            .toList()))
        .targetHealthDescriptions()
        .stream()
        .collect(Collectors.toMap(d -> d.target().id(), LoadBalancerIT::stateOf));
  }

  private static String stateOf(TargetHealthDescription d) {
    return d.targetHealth().reasonAsString() != null
        ? d.targetHealth().reasonAsString()
        : d.targetHealth().stateAsString();
  }

  @Test
  void instancesAreRegisteredAndScaleInAndDeletionDeregisterBeforeTerminateInstances() {
    MotoServer.Network network = moto.createNetwork(1);
    String arn = targetGroup(network.vpcId(), "web-lb-it");
    String ns = newNamespace();
    ServerFleet fleet = fleet(ns, "web", 2, network);
    LoadBalancer lb = new LoadBalancer();
    lb.setTargetGroupArns(List.of(arn));
    fleet.getSpec().setLoadBalancer(lb);
    HealthCheck hc = new HealthCheck();
    hc.setType(HealthCheckType.ELB);
    fleet.getSpec().setHealthCheck(hc);

    ServerFleet ready = awaitReady(create(fleet), 2);
    List<String> ids = liveInstances(ready).stream().map(Instance::id).toList();
    assertThat(health(arn, ids))
        .as("moto holds both, healthy")
        .containsOnly(Map.entry(ids.get(0), "healthy"), Map.entry(ids.get(1), "healthy"));
    assertThat(calls.calls())
        .as("DescribeTargetHealth asks about both instances in one call")
        .anySatisfy(
            c -> {
              assertThat(c.action()).isEqualTo("DescribeTargetHealth");
              assertThat(c.names(ids.get(0)) && c.names(ids.get(1))).isTrue();
            });

    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName("web")
        .edit(
            f -> {
              f.getSpec().setReplicas(1);
              return f;
            });
    ConcurrentLinkedQueue<DrainStatus> seen = new ConcurrentLinkedQueue<>();
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ServerFleet f = get(ns, "web");
              seen.addAll(f.getStatus().getDraining());
              return liveInstances(ready).size() == 1 && f.getStatus().getDraining().isEmpty();
            });

    String victim =
        ids.stream()
            .filter(id -> liveInstances(ready).stream().noneMatch(i -> i.id().equals(id)))
            .findFirst()
            .orElseThrow();
    String kept = ids.stream().filter(id -> !id.equals(victim)).findFirst().orElseThrow();
    AwsCallLog.Call deregistered = calls.first("DeregisterTargets", victim).orElseThrow();
    AwsCallLog.Call terminated = calls.first("TerminateInstances", victim).orElseThrow();
    assertThat(deregistered.seq())
        .as("deregistered before TerminateInstances")
        .isLessThan(terminated.seq());
    Duration waited = Duration.between(deregistered.at(), terminated.at());
    System.out.printf(
        "LoadBalancerIT: DeregisterTargets -> TerminateInstances for %s: %d ms (delay %ds)%n",
        victim, waited.toMillis(), DELAY_SECONDS);
    assertThat(waited)
        .as("the deregistration delay was waited out")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(DELAY_SECONDS));
    assertThat(calls.count("DescribeTargetGroupAttributes")).as("the delay read once").isEqualTo(1);
    assertThat(seen)
        .as("status showed the instance draining for the load balancer")
        .anySatisfy(
            d -> {
              assertThat(d.instanceId()).isEqualTo(victim);
              assertThat(d.action()).isEqualTo("deregister");
            });
    assertThat(health(arn, List.of(victim, kept)))
        .containsEntry(victim, "Target.NotRegistered")
        .containsEntry(kept, "healthy");

    // deletion drains too: the last instance leaves the target group before it is terminated
    client.resources(ServerFleet.class).inNamespace(ns).withName("web").delete();
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> get(ns, "web") == null);
    AwsCallLog.Call lastOut = calls.first("DeregisterTargets", kept).orElseThrow();
    AwsCallLog.Call lastGone = calls.first("TerminateInstances", kept).orElseThrow();
    assertThat(lastOut.seq()).isLessThan(lastGone.seq());
    assertThat(Duration.between(lastOut.at(), lastGone.at()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(DELAY_SECONDS));
    assertThat(health(arn, List.of(kept))).containsEntry(kept, "Target.NotRegistered");
  }
}
