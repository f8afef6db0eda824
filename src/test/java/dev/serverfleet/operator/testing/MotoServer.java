package dev.serverfleet.operator.testing;

import dev.serverfleet.operator.cloud.AwsEc2;
import dev.serverfleet.operator.cloud.AwsLaunchLookups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A moto server process on 127.0.0.1 for *IT tests, with AMI and instance-type validation on and
 * the AMIs of {@code scripts/moto/amis.json}. Its output goes to {@code target/moto-<port>.log}.
 *
 * <p>Use {@link #shared()}: one server per JVM, stopped by a shutdown hook. Tests isolate by a
 * unique cluster name rather than {@link #reset()}, which would wipe other tests' state.
 */
public final class MotoServer implements AutoCloseable {
  public static final String REGION = "us-east-1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Path AMIS = Path.of("scripts", "moto", "amis.json");
  private static final AtomicInteger NETWORKS = new AtomicInteger();
  private static MotoServer shared;

  private final Process process;
  private final URI endpoint;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Ec2Client ec2;
  private AwsLaunchLookups lookups;
  private SsmClient ssm;

  /** The subnets are in distinct zones, in order: us-east-1a, us-east-1b, ... */
  public record Network(
      String vpcId, List<String> subnetIds, List<String> zones, String securityGroupId) {}

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.endpoint = URI.create("http://127.0.0.1:" + port);
    this.log = log;
  }

  /** The JVM's moto server, started on first use. */
  public static synchronized MotoServer shared() {
    if (shared == null) {
      MotoServer started = start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "moto-stop"));
      shared = started;
    }
    return shared;
  }

  /** Starts a server of its own; the caller stops it. */
  public static MotoServer start() {
    Path project = projectDir();
    int port = freePort();
    Path log = project.resolve("target").resolve("moto-" + port + ".log");
    String python =
        Optional.ofNullable(System.getenv("SF_PYTHON")).filter(s -> !s.isBlank()).orElse("python3");
    ProcessBuilder builder =
        new ProcessBuilder(
                python, "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("MOTO_ENABLE_AMI_VALIDATION", "true");
    env.put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
    env.put("MOTO_AMIS_PATH", project.resolve(AMIS).toString());
    try {
      Files.createDirectories(log.getParent());
      MotoServer server = new MotoServer(builder.start(), port, log);
      server.awaitReady();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start moto with " + python + " (set SF_PYTHON?)", e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Deletes every resource in every account and region of this server. */
  public void reset() {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build();
    int status = send(request);
    if (status != 200) {
      throw new IllegalStateException("moto reset answered HTTP " + status);
    }
  }

  /**
   * An EC2 client for this server, built like the operator's (SDK retries off, so moto's errors
   * show up as failures) but with dummy credentials set on the client, not in the environment.
   */
  public synchronized Ec2Client ec2Client() {
    if (ec2 == null) {
      var credentials =
          StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
      ec2 = AwsEc2.client(REGION, Optional.of(endpoint), false, credentials);
    }
    return ec2;
  }

  /** Selector lookups (SSM and EC2) against this server, SDK retries off, no request limits. */
  public synchronized AwsLaunchLookups launchLookups() {
    if (lookups == null) {
      lookups =
          AwsLaunchLookups.create(
              REGION,
              Optional.of(endpoint),
              false,
              Optional.empty(),
              StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")),
              UrlConnectionHttpClient.create());
    }
    return lookups;
  }

  /** An SSM client for this server (to put the parameters tests select by). */
  public synchronized SsmClient ssmClient() {
    if (ssm == null) {
      ssm =
          SsmClient.builder()
              .region(Region.of(REGION))
              .endpointOverride(endpoint)
              .credentialsProvider(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create("testing", "testing")))
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .build();
    }
    return ssm;
  }

  /**
   * A VPC 10.x.0.0/16 with {@code subnets} /24 subnets in distinct zones and one security group.
   */
  public Network createNetwork(int subnets) {
    if (subnets < 1 || subnets > 6) {
      throw new IllegalArgumentException("us-east-1 has 6 zones, asked for " + subnets);
    }
    int x = NETWORKS.getAndIncrement() % 256;
    Ec2Client client = ec2Client();
    String vpcId = client.createVpc(r -> r.cidrBlock("10." + x + ".0.0/16")).vpc().vpcId();
    List<String> subnetIds = new ArrayList<>();
    List<String> zones = new ArrayList<>();
    for (int n = 0; n < subnets; n++) {
      String zone = REGION + (char) ('a' + n);
      int third = n;
      subnetIds.add(
          client
              .createSubnet(
                  r ->
                      r.vpcId(vpcId)
                          .cidrBlock("10." + x + "." + third + ".0/24")
                          .availabilityZone(zone))
              .subnet()
              .subnetId());
      zones.add(zone);
    }
    String groupId =
        client
            .createSecurityGroup(
                r -> r.vpcId(vpcId).groupName("serverfleet-" + x).description("serverfleet test"))
            .groupId();
    return new Network(vpcId, List.copyOf(subnetIds), List.copyOf(zones), groupId);
  }

  public synchronized void stop() {
    if (ec2 != null) {
      ec2.close();
      ec2 = null;
    }
    if (ssm != null) {
      ssm.close();
      ssm = null;
    }
    // A python launcher (pyenv shim, venv wrapper) may run moto as a child: end those too.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    HttpRequest probe =
        HttpRequest.newBuilder(endpoint.resolve("/moto-api/"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto exited with " + process.exitValue() + "; see " + log + ":\n" + tail());
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep(Duration.ofMillis(100));
    }
    stop();
    throw new IllegalStateException(
        "moto did not answer within " + START_TIMEOUT + "; see " + log + ":\n" + tail());
  }

  private int send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * The directory holding scripts/moto/amis.json: user.dir (Maven runs tests there) or a parent.
   */
  private static Path projectDir() {
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(AMIS))) {
        return dir;
      }
    }
    throw new IllegalStateException("no " + AMIS + " in " + start + " or its parents");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
