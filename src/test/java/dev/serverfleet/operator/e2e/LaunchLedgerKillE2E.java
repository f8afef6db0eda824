package dev.serverfleet.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.serverfleet.operator.api.v1alpha1.LaunchIntent;
import dev.serverfleet.operator.api.v1alpha1.RollingUpdate;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import dev.serverfleet.operator.api.v1alpha1.Strategy;
import dev.serverfleet.operator.api.v1alpha1.StrategyType;
import dev.serverfleet.operator.e2e.LaunchAccounting.Spec;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.fleet.OwnershipTags;
import dev.serverfleet.operator.testing.ControlPlaneTestBed;
import dev.serverfleet.operator.testing.Ec2Call;
import dev.serverfleet.operator.testing.Ec2Call.Outcome;
import dev.serverfleet.operator.testing.Ec2FaultProxy;
import dev.serverfleet.operator.testing.MotoServer;
import dev.serverfleet.operator.testing.OperatorProcess;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The launch ledger's promise ({@code planning/LaunchLedger}: a fleet is never launched twice
 * because an answer was lost) against the packaged operator, SIGKILLed at random moments while it
 * scales a fleet up and down and rolls it between two AMIs, and restarted every time. Its EC2
 * endpoint is an {@link Ec2FaultProxy} in front of moto, which honours client tokens as AWS does,
 * shows new instances in describes only 5 to 8 s after their launch (as EC2's eventual consistency
 * may), and on about half the rounds drops, fails, throttles or holds RunInstances answers, so that
 * answers are lost around the kills too. SDK retries are off: every lost answer reaches the ledger.
 *
 * <p>A round: start the operator unless one runs, wait until it is ready, arm the round's wire
 * faults, edit the fleet, and kill the process as soon as status shows a launch intent it wrote
 * (plus up to 400 ms: before, during or after the call), or 0 to 2500 ms or 4 to 9 s after the
 * edit. The first rounds only scale up, so every launch is needed and EC2 must then hold exactly as
 * many instances as were ever launched; then scale-ins, rollouts and both together. The fleet is
 * awaited converged after the scale-ups, half-way through the rest and at the end, and EC2 (moto,
 * not status) must show: the spec's count on the final revision; no client token that reached moto
 * twice or came back with other parameters, and none with more instances than its RunInstances
 * asked for; every instance in the test's subnets fully tagged as the fleet's; and no launch above
 * what the edits allowed ({@link LaunchAccounting}), which is what a second token for one need
 * breaks.
 *
 * <p>Randomness is seeded and printed: {@code -Dsf.kill.seed=<seed>} replays the choices (the
 * timing is the machine's), {@code -Dsf.kills=<n>} sets the number of kills (default 20). The story
 * is written to {@link KillEvidence#FILE}, each operator's log to {@code
 * target/operator-ledger-kill-<n>.log}.
 */
class LaunchLedgerKillE2E extends ControlPlaneTestBed {
  private static final String NAME = "ledger";
  private static final Duration CONVERGENCE = Duration.ofMinutes(3);
  private static final int MAX_REPLICAS = 18;
  private static final int MIXED_MAX_REPLICAS = 8;

  private final long seed = Long.getLong("sf.kill.seed", new SecureRandom().nextLong());
  private final int killsWanted = Math.max(2, Integer.getInteger("sf.kills", 20));
  private final Random random = new Random(seed);
  private final LaunchAccounting accounting = new LaunchAccounting();
  private final KillEvidence evidence = new KillEvidence();
  private final Set<String> tokensInStatus = new LinkedHashSet<>();
  private Ec2FaultProxy proxy;
  private MotoServer.Network network;
  private String ns;
  private OperatorProcess operator;
  private int kills;
  private int faultRounds;

  /**
   * New instances stay out of DescribeInstances answers this long after their launch, as EC2's
   * eventual consistency may keep them, for the whole run: an operator started after a kill cannot
   * see what its predecessor launched last, only its launch ledger knows. Constant, because a
   * longer hiding set later would hide again instances that were already shown, which EC2 does not
   * do.
   */
  private final Duration hiding = Duration.ofMillis(5000 + random.nextInt(3000));

  /** A change of the fleet's spec; a null field stays as it is. */
  private record Change(Integer replicas, String ami) {
    boolean none() {
      return replicas == null && ami == null;
    }

    Spec after(Spec before) {
      return new Spec(
          Objects.requireNonNullElse(replicas, before.replicas()),
          Objects.requireNonNullElse(ami, before.ami()));
    }

    boolean mayLaunch(Spec before) {
      Spec after = after(before);
      return !after.ami().equals(before.ami()) || after.replicas() > before.replicas();
    }

    @Override
    public String toString() {
      return none()
          ? "no edit"
          : ((replicas == null ? "" : "replicas=" + replicas + " ")
                  + (ami == null ? "" : "ami=" + ami))
              .trim();
    }
  }

  @Test
  void killedAtRandomMomentsTheOperatorNeverLaunchesTwiceAndConverges() throws Exception {
    System.out.printf(
        "LaunchLedgerKillE2E: seed %d, %d kills (replay: -Dsf.kill.seed=%d -Dsf.kills=%d)%n",
        seed, killsWanted, seed, killsWanted);
    evidence.line("seed " + seed + ", kills " + killsWanted + ", cluster " + cluster);
    Instant began = Instant.now();
    network = moto.createNetwork(3);
    ns = newNamespace();
    proxy = Ec2FaultProxy.start(moto.endpoint());
    proxy.hideNewInstances(hiding);
    evidence.line(
        "new instances hidden from describes for " + hiding.toMillis() + " ms after their launch");
    try {
      ServerFleet fleet = fleet(ns, NAME, 2, network);
      fleet.getSpec().setStrategy(rollingUpdate());
      Instant created = Instant.now();
      create(fleet);
      accounting.edited(new LaunchAccounting.Edit(new Spec(2, AMI), created, created));

      int scaleUps = Math.max(1, killsWanted * 2 / 5);
      for (int n = 0; n < scaleUps; n++) {
        round(
            new Change(
                Math.min(MAX_REPLICAS, accounting.current().replicas() + 1 + random.nextInt(2)),
                null));
      }
      converge("after the scale-ups");
      assertThat(everLaunched().size())
          .as(
              "instances ever launched for %d replicas by scale-ups only: each is needed, one more is a duplicate"
                  + " (see %s)",
              accounting.current().replicas(), KillEvidence.FILE)
          .isEqualTo(accounting.current().replicas());

      int mixed = killsWanted - scaleUps;
      for (int n = 0; n < mixed; n++) {
        round(mixedChange());
        if (mixed >= 6 && n == mixed / 2 - 1) {
          converge("half-way through the mixed edits");
        }
      }
      ServerFleet done = converge("at the end");
      verify(done);
      report(Duration.between(began, Instant.now()));
    } finally {
      if (operator != null) {
        operator.stop();
      }
      for (OperatorProcess started : evidence.operators()) {
        started.kill();
      }
      try {
        writeEvidence();
      } finally {
        proxy.close();
      }
    }
  }

  private void writeEvidence() throws IOException {
    List<Instance> ever = everLaunched();
    List<Ec2Call> calls = proxy.calls();
    LaunchAccounting.Seen seen = new LaunchAccounting.Seen(ever, calls);
    accounting.explain(seen).forEach(evidence::line);
    evidence.line("launches above replicas: " + accounting.judge(seen, network.subnetIds()));
    evidence.calls(calls);
    evidence.instances(ever);
    evidence.write();
  }

  private static Strategy rollingUpdate() {
    RollingUpdate rolling = new RollingUpdate();
    rolling.setMaxSurge(new IntOrString("50%"));
    rolling.setMaxUnavailable(new IntOrString(0));
    Strategy strategy = new Strategy();
    strategy.setType(StrategyType.RollingUpdate);
    strategy.setRollingUpdate(rolling);
    return strategy;
  }

  /** After the scale-ups: no edit, a scale, a rollout to the other AMI, or both. */
  private Change mixedChange() {
    Spec now = accounting.current();
    int kind = random.nextInt(100);
    int replicas = 1 + random.nextInt(MIXED_MAX_REPLICAS);
    if (replicas == now.replicas()) {
      replicas = replicas % MIXED_MAX_REPLICAS + 1;
    }
    String otherAmi = AMI.equals(now.ami()) ? AMI_V2 : AMI;
    if (kind < 15) {
      return new Change(null, null);
    } else if (kind < 50) {
      return new Change(replicas, null);
    } else if (kind < 85) {
      return new Change(null, otherAmi);
    }
    return new Change(replicas, otherAmi);
  }

  /**
   * Start (unless running), arm faults, edit, kill: in four rounds of ten as soon as this operator
   * wrote a launch intent (plus 0 to 400 ms), in four 0 to 2500 ms after the edit, and in two late,
   * 4 to 9 s after it, when a pass that failed has been retried (after 5 s) while its launch may
   * still be hidden.
   */
  private void round(Change change) throws Exception {
    int moment = random.nextInt(10);
    int afterIntentMs = random.nextInt(400);
    int afterEditMs = moment < 8 ? random.nextInt(2500) : 4000 + random.nextInt(5000);
    if (operator == null) {
      startOperator();
    }
    String faults = armFaults();
    Spec before = accounting.current();
    Set<String> tokensBefore = intentTokens();
    Instant sent = Instant.now();
    apply(change);
    String when;
    if (moment < 4 && change.mayLaunch(before)) {
      String token = awaitNewIntent(tokensBefore);
      sleep(afterIntentMs);
      when =
          token == null
              ? "5 s after the edit, no new intent"
              : afterIntentMs + " ms after intent " + token;
    } else {
      sleep(afterEditMs);
      when = afterEditMs + " ms after " + (change.none() ? "ready" : "the edit");
    }
    kill();
    Instant killed = Instant.now();
    proxy.clearFaults();
    proxy.hideNewInstances(hiding);
    if (!change.none()) {
      accounting.edited(new LaunchAccounting.Edit(change.after(before), sent, killed));
    }
    evidence.line(
        String.format("kill %2d: %-38s faults: %-72s killed %s", kills, change, faults, when));
  }

  /**
   * A merge patch without resourceVersion, as {@code kubectl scale} or {@code kubectl patch} sends
   * it.
   */
  private void apply(Change change) {
    if (change.none()) {
      return;
    }
    String patch =
        "{\"spec\":{"
            + (change.replicas() == null ? "" : "\"replicas\":" + change.replicas())
            + (change.replicas() != null && change.ami() != null ? "," : "")
            + (change.ami() == null ? "" : "\"template\":{\"amiId\":\"" + change.ami() + "\"}")
            + "}}";
    client
        .resources(ServerFleet.class)
        .inNamespace(ns)
        .withName(NAME)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  /**
   * On about half the rounds one RunInstances fault, sometimes with every RunInstances held as
   * well.
   */
  private String armFaults() {
    boolean armed = random.nextInt(100) < 50;
    int kind = random.nextInt(4);
    int throttles = 1 + random.nextInt(2);
    boolean hold = random.nextInt(100) < 30;
    int holdMs = 500 + random.nextInt(1500);
    if (!armed) {
      return "none";
    }
    faultRounds++;
    String what =
        switch (kind) {
          case 0 -> {
            proxy.dropAnswer("RunInstances", 1);
            yield "RunInstances answer dropped after moto";
          }
          case 1 -> {
            proxy.internalError("RunInstances", 1, true);
            yield "RunInstances 500 after moto";
          }
          case 2 -> {
            proxy.internalError("RunInstances", 1, false);
            yield "RunInstances 500 before moto";
          }
          default -> {
            proxy.throttle("RunInstances", throttles);
            yield "RunInstances throttled x" + throttles;
          }
        };
    if (hold) {
      proxy.delay("RunInstances", Duration.ofMillis(holdMs));
      what += ", RunInstances held " + holdMs + " ms";
    }
    return what;
  }

  private void startOperator() {
    int n = evidence.operators().size() + 1;
    OperatorProcess started;
    try {
      started =
          OperatorProcess.start(
              "ledger-kill-" + n,
              Map.of(
                  "KUBECONFIG",
                  kubectl.kubeconfig().toString(),
                  "SF_CLUSTER_NAME",
                  cluster,
                  "SF_EC2_ENDPOINT",
                  proxy.endpoint().toString(),
                  "SF_POLL_INTERVAL",
                  "1s",
                  "SF_SDK_RETRIES",
                  "false",
                  "SF_WATCH_NAMESPACES",
                  ns,
                  // Some twenty JVM starts on a small machine: the client compiler alone starts
                  // faster.
                  "JAVA_TOOL_OPTIONS",
                  "-XX:TieredStopAtLevel=1"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    evidence.started(started);
    operator = started;
    await()
        .atMost(90, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !started.alive() || started.status("/readyz") == 200);
    if (!started.alive()) {
      throw new AssertionError("operator " + n + " exited on start:\n" + started.log());
    }
  }

  private void kill() throws InterruptedException {
    if (!operator.alive()) {
      throw new AssertionError("the operator died on its own:\n" + operator.log());
    }
    assertThat(evidence.operators().stream().filter(OperatorProcess::alive))
        .as("operators alive")
        .hasSize(1);
    operator.kill();
    operator = null;
    kills++;
  }

  private Set<String> intentTokens() {
    ServerFleet f = get(ns, NAME);
    Set<String> tokens =
        f == null || f.getStatus() == null
            ? Set.of()
            : f.getStatus().getLaunchIntents().stream()
                .map(LaunchIntent::token)
                .collect(Collectors.toSet());
    tokensInStatus.addAll(tokens);
    return tokens;
  }

  /** The first intent token in status that was not there before, or null after 5 s. */
  private String awaitNewIntent(Set<String> before) {
    Instant deadline = Instant.now().plusSeconds(5);
    while (Instant.now().isBefore(deadline)) {
      for (String token : intentTokens()) {
        if (!before.contains(token)) {
          return token;
        }
      }
      sleep(20);
    }
    return null;
  }

  /**
   * Starts the operator unless it runs, and waits until status and EC2 both show the spec, nothing
   * in flight.
   */
  private ServerFleet converge(String when) {
    if (operator == null) {
      startOperator();
    }
    Instant from = Instant.now();
    ServerFleet[] last = new ServerFleet[1];
    try {
      await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(500)).until(() -> converged(last));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "not converged "
              + when
              + " within "
              + CONVERGENCE
              + " on "
              + accounting.current()
              + "; status: "
              + KillEvidence.describe(last[0])
              + "; see "
              + KillEvidence.FILE,
          e);
    }
    accounting.converged();
    evidence.line(
        String.format(
            "converged %s on %s in %d s",
            when, accounting.current(), Duration.between(from, Instant.now()).toSeconds()));
    return last[0];
  }

  private boolean converged(ServerFleet[] last) {
    ServerFleet f = get(ns, NAME);
    last[0] = f;
    ServerFleetStatus s = f.getStatus();
    Integer want = accounting.current().replicas();
    if (s == null
        || !Objects.equals(s.getObservedGeneration(), f.getMetadata().getGeneration())
        || !want.equals(s.getReplicas())
        || !want.equals(s.getReadyReplicas())
        || !want.equals(s.getUpdatedReplicas())
        || !s.getLaunchIntents().isEmpty()
        || s.getConditions().stream()
            .noneMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
      return false;
    }
    List<Instance> live = liveInstances(f.getMetadata().getUid());
    return live.size() == want
        && live.stream()
            .allMatch(
                i ->
                    accounting.current().ami().equals(i.imageId())
                        && s.getCurrentRevision().equals(i.tag(OwnershipTags.REVISION)));
  }

  /**
   * Every instance ever launched under this test's cluster name, in any state (moto keeps
   * terminated ones).
   */
  private List<Instance> everLaunched() {
    return ec2.describeOwned(cluster);
  }

  private void verify(ServerFleet done) {
    String see = "see " + KillEvidence.FILE;
    List<Instance> ever = everLaunched();
    assertThat(ever.stream().filter(i -> i.state().isLive()))
        .as("live instances in EC2 at the end, all on the final revision (%s)", see)
        .hasSize(accounting.current().replicas())
        .allSatisfy(
            i -> {
              assertThat(i.tag(OwnershipTags.REVISION))
                  .isEqualTo(done.getStatus().getCurrentRevision());
              assertThat(i.imageId()).isEqualTo(accounting.current().ami());
            });

    assertThat(tagsInNetwork())
        .as("every instance in the test's subnets is the fleet's, fully tagged (%s)", see)
        .hasSize(ever.size())
        .allSatisfy(
            tags -> {
              assertThat(tags)
                  .containsEntry(OwnershipTags.CLUSTER, cluster)
                  .containsEntry(OwnershipTags.FLEET_UID, done.getMetadata().getUid())
                  .containsEntry(OwnershipTags.FLEET, ns + "/" + NAME);
              assertThat(tags.get(OwnershipTags.REVISION)).isNotBlank();
              assertThat(tags.get(OwnershipTags.LAUNCH)).isNotBlank();
            });

    List<Ec2Call> calls = proxy.calls();
    List<Ec2Call> runs = calls.stream().filter(c -> c.action().equals("RunInstances")).toList();
    assertThat(runs)
        .as("RunInstances without a client token (%s)", see)
        .allMatch(c -> c.clientToken() != null);
    assertThat(runs)
        .as("a client token sent again with other parameters (%s)", see)
        .noneMatch(c -> c.outcome() == Outcome.TOKEN_MISMATCH);
    Map<String, List<Ec2Call>> reachedMoto =
        runs.stream()
            .filter(Ec2Call::upstream)
            .collect(
                Collectors.groupingBy(Ec2Call::clientToken, TreeMap::new, Collectors.toList()));
    assertThat(reachedMoto)
        .as("client tokens that reached moto more than once (%s)", see)
        .allSatisfy((token, sent) -> assertThat(sent).hasSize(1));
    Map<String, List<Instance>> byToken =
        ever.stream()
            .collect(
                Collectors.groupingBy(
                    i -> i.tag(OwnershipTags.LAUNCH), TreeMap::new, Collectors.toList()));
    assertThat(byToken)
        .as("instances per launch tag, against the MinCount of its RunInstances (%s)", see)
        .allSatisfy(
            (token, instances) -> {
              assertThat(reachedMoto).containsKey(token);
              assertThat(instances)
                  .hasSizeLessThanOrEqualTo(reachedMoto.get(token).get(0).minCount());
            });

    LaunchAccounting.Seen seen = new LaunchAccounting.Seen(ever, calls);
    LaunchAccounting.Judgement judgement = accounting.judge(seen, network.subnetIds());
    assertThat(judgement.aboveReplicas())
        .as(
            "launches that made more instances of their AMI live or launching than replicas (%s)",
            see)
        .isEmpty();
    Map<String, Integer> allowed = accounting.allowed(seen, judgement);
    assertThat(
            ever.stream().collect(Collectors.groupingBy(Instance::imageId, Collectors.counting())))
        .as("instances launched per AMI, against the room the edits opened %s (%s)", allowed, see)
        .allSatisfy(
            (ami, launched) ->
                assertThat(launched).isLessThanOrEqualTo(allowed.getOrDefault(ami, 0)));
    assertThat(ever)
        .as("instances ever launched, against the lower bound")
        .hasSizeGreaterThanOrEqualTo(accounting.needed());
  }

  /** The tags of every instance moto holds in the test's subnets, whoever launched it. */
  private List<Map<String, String>> tagsInNetwork() {
    return moto
        .ec2Client()
        .describeInstancesPaginator(r -> r.maxResults(1000))
        .reservations()
        .stream()
        .flatMap(r -> r.instances().stream())
        .filter(i -> network.subnetIds().contains(i.subnetId()))
        .map(
            i ->
                i.tags().stream()
                    .collect(Collectors.toMap(t -> t.key(), t -> t.value(), (a, b) -> a)))
        .toList();
  }

  private void report(Duration took) {
    List<Ec2Call> calls = proxy.calls();
    List<Ec2Call> runs = calls.stream().filter(c -> c.action().equals("RunInstances")).toList();
    Map<Outcome, Long> outcomes =
        runs.stream()
            .collect(
                Collectors.groupingBy(
                    Ec2Call::outcome, () -> new EnumMap<>(Outcome.class), Collectors.counting()));
    List<Instance> ever = everLaunched();
    int needed = accounting.needed();
    LaunchAccounting.Seen seen = new LaunchAccounting.Seen(ever, calls);
    LaunchAccounting.Judgement judgement = accounting.judge(seen, network.subnetIds());
    int allowed =
        accounting.allowed(seen, judgement).values().stream().mapToInt(Integer::intValue).sum();
    int rebalances = judgement.rebalances().values().stream().mapToInt(Integer::intValue).sum();
    String figures =
        String.format(
            "LaunchLedgerKillE2E seed %d: %d kills (%d operator starts), %d edits,"
                + " %d rounds with RunInstances faults, new instances hidden %d ms%n"
                + "  RunInstances calls %d %s, %d client tokens, %d launch intents seen in status%n"
                + "  instances ever launched %d (%d zone rebalancing); needed at least %d (lower bound);"
                + " room opened by the edits %d (upper bound)%n"
                + "  excess over the lower bound %d (%.1f %%); took %d s",
            seed,
            kills,
            evidence.operators().size(),
            accounting.edits(),
            faultRounds,
            hiding.toMillis(),
            runs.size(),
            outcomes,
            runs.stream().map(Ec2Call::clientToken).distinct().count(),
            tokensInStatus.size(),
            ever.size(),
            rebalances,
            needed,
            allowed,
            ever.size() - needed,
            needed == 0 ? 0.0 : 100.0 * (ever.size() - needed) / needed,
            took.toSeconds());
    System.out.println(figures);
    evidence.line(figures);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
