package dev.serverfleet.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateRef;
import dev.serverfleet.operator.api.v1alpha1.LaunchTemplateStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClassSpec;
import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorTestBed;
import dev.serverfleet.operator.testing.RunInstancesCapture;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;

/**
 * Fleets launching from EC2 launch templates, on the real API server and moto (5.2.1 takes the
 * image, instance type, key, metadata options and tags of a version when RunInstances leaves them
 * out), with the operator in process resolving templates through DescribeLaunchTemplateVersions on
 * every 1 s poll (OperatorTestBed wires AwsLaunchTemplates on moto). What the operator sends is
 * read from the RunInstances requests on the wire.
 */
class LaunchTemplatesIT extends OperatorTestBed {
  private static final RunInstancesCapture capture = new RunInstancesCapture();
  private static Ec2Client capturing;

  @BeforeAll
  static void operatorResolvingLaunchTemplates() {
    capturing =
        Ec2Client.builder()
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .region(Region.of(MotoServer.REGION))
            .endpointOverride(moto.endpoint())
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(
                o ->
                    o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(capture))
            .build();
    stopOperator();
    // OperatorTestBed's operator resolves launch templates in moto (AwsLaunchTemplates)
    startOperator(new AwsEc2(capturing));
  }

  @AfterAll
  static void closeClient() {
    stopOperator();
    capturing.close();
  }

  /** A launch template in moto whose version 1 sets the image and the type; returns its id. */
  private static String createTemplate(String name, String ami, String type) {
    return moto.ec2Client()
        .createLaunchTemplate(
            r ->
                r.launchTemplateName(name)
                    .launchTemplateData(d -> d.imageId(ami).instanceType(type)))
        .launchTemplate()
        .launchTemplateId();
  }

  private static ServerFleet templateFleet(
      String ns, String name, int replicas, LaunchTemplateRef ref) {
    ServerFleet fleet = fleet(ns, name, replicas, moto.createNetwork(2));
    fleet.getSpec().getTemplate().setAmiId(null);
    fleet.getSpec().getTemplate().setInstanceType(null);
    fleet.getSpec().getTemplate().setLaunchTemplate(ref);
    return fleet;
  }

  private static LaunchTemplateRef ref(String id, String name, String version) {
    LaunchTemplateRef ref = new LaunchTemplateRef();
    ref.setId(id);
    ref.setName(name);
    ref.setVersion(version);
    return ref;
  }

  private static String uniqueName() {
    return "lt-it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aFleetWithOnlyALaunchTemplateLaunchesItsImageAndType() {
    String name = uniqueName();
    String id = createTemplate(name, AMI, "t3.small");
    ServerFleet ready =
        awaitReady(create(templateFleet(newNamespace(), "only-lt", 2, ref(null, name, null))), 2);

    assertThat(liveInstances(ready))
        .hasSize(2)
        .allSatisfy(
            i -> {
              assertThat(i.imageId()).isEqualTo(AMI);
              assertThat(i.instanceType()).isEqualTo("t3.small");
            });
    assertThat(ready.getStatus().getLaunchTemplate().id()).isEqualTo(id);
    assertThat(ready.getStatus().getLaunchTemplate().name()).isEqualTo(name);
    assertThat(ready.getStatus().getLaunchTemplate().version()).isEqualTo(1L);
    assertThat(runsOf(ready))
        .isNotEmpty()
        .allSatisfy(
            run ->
                assertThat(run)
                    .containsEntry("LaunchTemplate.LaunchTemplateId", id)
                    .containsEntry("LaunchTemplate.Version", "1")
                    .containsEntry("MetadataOptions.HttpTokens", "required")
                    .doesNotContainKey("ImageId")
                    .doesNotContainKey("InstanceType")
                    .doesNotContainKey("KeyName")
                    .doesNotContainKey("IamInstanceProfile.Name"));
  }

  @Test
  void aNewLatestVersionRollsTheFleetToIt() {
    String name = uniqueName();
    String id = createTemplate(name, AMI, "t3.micro");
    ServerFleet v1 =
        awaitReady(create(templateFleet(newNamespace(), "latest", 2, ref(id, null, "$Latest"))), 2);
    String firstRevision = v1.getStatus().getCurrentRevision();

    moto.ec2Client()
        .createLaunchTemplateVersion(
            r ->
                r.launchTemplateId(id)
                    .launchTemplateData(
                        d -> d.imageId(AMI_V2).instanceType(InstanceType.T3_MICRO)));

    await()
        .atMost(120, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              ServerFleet f = get(v1.getMetadata().getNamespace(), "latest");
              assertThat(f.getStatus().getLaunchTemplate())
                  .isNotNull()
                  .extracting(LaunchTemplateStatus::version)
                  .isEqualTo(2L);
              assertThat(f.getStatus().getCurrentRevision()).isNotEqualTo(firstRevision);
              List<Instance> live = liveInstances(f);
              assertThat(live)
                  .hasSize(2)
                  .allSatisfy(
                      i -> {
                        assertThat(i.imageId()).isEqualTo(AMI_V2);
                        assertThat(i.tag(OwnershipTags.REVISION))
                            .isEqualTo(f.getStatus().getCurrentRevision());
                      });
              assertThat(f.getStatus().getReadyReplicas()).isEqualTo(2);
            });
    assertThat(runsOf(v1))
        .extracting(r -> r.get("LaunchTemplate.Version"))
        .as("every launch names a number, never $Latest")
        .containsOnly("1", "2");
  }

  @Test
  void aFleetFieldOverridesTheTemplatesInstanceType() {
    String name = uniqueName();
    createTemplate(name, AMI, "t3.small");
    ServerFleet fleet = templateFleet(newNamespace(), "override", 1, ref(null, name, "1"));
    fleet.getSpec().getTemplate().setInstanceType("m5.large");
    ServerFleet ready = awaitReady(create(fleet), 1);

    assertThat(liveInstances(ready))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.instanceType()).isEqualTo("m5.large");
              assertThat(i.imageId()).as("the template's").isEqualTo(AMI);
            });
    assertThat(runsOf(ready))
        .singleElement()
        .satisfies(
            run ->
                assertThat(run)
                    .containsEntry("InstanceType", "m5.large")
                    .containsEntry("LaunchTemplate.Version", "1")
                    .doesNotContainKey("ImageId"));
  }

  @Test
  void aMissingTemplateIsDegradedAndLaunchesNothing() {
    String ns = newNamespace();
    ServerFleet created =
        create(templateFleet(ns, "missing", 2, ref(null, "no-such-template-lt", "$Latest")));

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(conditionsOf(ns, "missing"))
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Degraded");
                          assertThat(c.getStatus()).isEqualTo("True");
                          assertThat(c.getReason()).isEqualTo("LaunchTemplateUnavailable");
                          assertThat(c.getMessage())
                              .contains("spec.template.launchTemplate", "no-such-template-lt");
                        }));
    assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("LaunchTemplateUnavailable");
            });
    assertThat(liveInstances(created)).isEmpty();
    assertThat(runsOf(get(ns, "missing"))).isEmpty();
  }

  @Test
  void aClassHoldsAFleetWhoseTemplateVersionSetsAnImageItDoesNotAllow() {
    String name = uniqueName();
    String id = createTemplate(name, AMI_V2, "t3.micro");
    String className = "lt-" + UUID.randomUUID().toString().substring(0, 8);
    ServerFleetClass klass = new ServerFleetClass();
    klass.setMetadata(new ObjectMetaBuilder().withName(className).build());
    ServerFleetClassSpec spec = new ServerFleetClassSpec();
    spec.setAmiIds(List.of(AMI));
    spec.setLaunchTemplates(List.of(id));
    klass.setSpec(spec);
    client.resource(klass).create();
    String ns = newNamespace();
    ServerFleet fleet = templateFleet(ns, "classy", 1, ref(null, name, "$Latest"));
    fleet.getSpec().setClassName(className);
    ServerFleet created = create(fleet);

    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(conditionsOf(ns, "classy"))
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Degraded");
                          assertThat(c.getReason()).isEqualTo("ClassPolicy");
                          assertThat(c.getMessage())
                              .isEqualTo(
                                  "launch template "
                                      + name
                                      + " ("
                                      + id
                                      + ") version 1 sets ImageId: "
                                      + AMI_V2
                                      + " is not allowed by ServerFleetClass "
                                      + className);
                        }));
    assertThat(liveInstances(created)).isEmpty();
    client.resource(klass).delete();
  }

  /** The RunInstances requests of the fleet: their client tokens start with part of its uid. */
  private static List<Map<String, String>> runsOf(ServerFleet fleet) {
    String prefix = "sf-" + fleet.getMetadata().getUid().replace("-", "").substring(0, 12) + "-";
    return capture.runs().stream()
        .filter(r -> r.getOrDefault("ClientToken", "").startsWith(prefix))
        .toList();
  }

  /** The fleet's conditions; none before the operator wrote its first status. */
  private List<io.fabric8.kubernetes.api.model.Condition> conditionsOf(String ns, String name) {
    ServerFleet f = get(ns, name);
    return f.getStatus() == null ? List.of() : f.getStatus().getConditions();
  }
}
