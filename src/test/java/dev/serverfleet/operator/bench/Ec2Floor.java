package dev.serverfleet.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.bench.FloorEc2.Launch;
import dev.serverfleet.operator.bench.FloorEc2.Seen;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The floor of the real-stack bench: the fastest honest client of EC2 for the same end state as the
 * operator's, against which the operator's time is a ratio. It uses the AWS SDK v2 directly, no
 * operator code, and makes only the calls that end state needs, each at the first instant EC2's
 * published account buckets allow ({@link FloorPacer}); launches run on several threads so a slow
 * answer does not hold back the next token. For F fleets of R instances over S subnets:
 *
 * <ul>
 *   <li>{@code cold}: one RunInstances per fleet per subnet that gets instances (min(R, S) per
 *       fleet; tags in TagSpecifications, so no CreateTags), then DescribeInstances (pages of
 *       1,000) until F*R run. Time: about (F*min(R,S) - 5) / 2 s by the request bucket, or (F*R -
 *       1000) / 2 s by the resource bucket, whichever is longer.
 *   <li>{@code scale}: one DescribeInstances sweep to see the fleets, then RunInstances of R more
 *       per fleet, balanced over the subnets (min(R, S) calls per fleet), then describes until 2FR
 *       run.
 *   <li>{@code rollout}: one sweep, as many instances on {@code --new-ami} per fleet and subnet as
 *       it had, then TerminateInstances of the old ones by 1,000 ids, then describes until only
 *       new-AMI instances run.
 * </ul>
 *
 * <p>A RequestLimitExceeded (another client sharing the buckets) is waited out, retried and
 * counted. Writes the figures as JSON to {@code --out} and prints one summary line.
 */
public final class Ec2Floor {
  private static final int THREADS = 8;
  private static final int IDS_PER_TERMINATE = 1000;
  private static final long POLL_NANOS = 1_000_000_000L;
  private static final long DONE_TIMEOUT_NANOS = 30L * 60 * 1_000_000_000L;

  private final FloorArgs args;
  private final FloorEc2 ec2;
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private FloorTimeline timeline;

  private Ec2Floor(FloorArgs args, FloorEc2 ec2) {
    this.args = args;
    this.ec2 = ec2;
  }

  public static void main(String[] argv) throws Exception {
    FloorArgs args = FloorArgs.parse(argv);
    try (FloorEc2 ec2 =
        new FloorEc2(
            URI.create(args.endpoint()), args.region(), args.instanceType(), args.group())) {
      Ec2Floor floor = new Ec2Floor(args, ec2);
      try {
        floor.runAndReport();
      } finally {
        floor.pool.shutdownNow();
      }
    }
  }

  private void runAndReport() throws Exception {
    long startMillis = System.currentTimeMillis();
    long startNanos = System.nanoTime();
    switch (args.scenario()) {
      case "cold" -> cold(startNanos);
      case "scale" -> scale(startNanos);
      case "rollout" -> rollout(startNanos);
      default -> throw new IllegalArgumentException("unknown --scenario " + args.scenario());
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    write(startMillis / 1000.0, seconds);
    System.out.printf(
        "Ec2Floor %s %dx%d: %.2f s, calls %s, throttled %s%n",
        args.scenario(), args.fleets(), args.replicas(), seconds, ec2.calls(), ec2.throttled());
  }

  private void cold(long startNanos) throws Exception {
    timeline = new FloorTimeline(startNanos, 0);
    List<Launch> launches = new ArrayList<>();
    for (int i = 0; i < args.fleets(); i++) {
      launches.addAll(launches("fleet-" + i, Map.of(), args.replicas(), args.ami()));
    }
    launchAll(launches);
    int expected = args.fleets() * args.replicas();
    awaitRunning(seen -> seen.size() == expected);
  }

  private void scale(long startNanos) throws Exception {
    Map<String, Map<String, Integer>> fleets = existingFleets(ec2.describe());
    int before = fleets.values().stream().mapToInt(Ec2Floor::total).sum();
    timeline = new FloorTimeline(startNanos, before);
    List<Launch> launches = new ArrayList<>();
    fleets.forEach(
        (fleet, bySubnet) ->
            launches.addAll(launches(fleet, bySubnet, args.replicas(), args.ami())));
    launchAll(launches);
    int expected = before + fleets.size() * args.replicas();
    awaitRunning(seen -> seen.size() == expected);
  }

  private void rollout(long startNanos) throws Exception {
    List<Seen> old = ec2.describe();
    Map<String, Map<String, Integer>> fleets = existingFleets(old);
    timeline = new FloorTimeline(startNanos, old.size());
    List<Launch> launches = new ArrayList<>();
    fleets.forEach(
        (fleet, bySubnet) ->
            bySubnet.forEach(
                (subnet, n) -> launches.addAll(chunks(fleet, subnet, n, args.newAmi()))));
    launchAll(launches);
    terminateAll(old.stream().map(Seen::id).toList());
    awaitRunning(
        seen ->
            seen.size() == old.size()
                && seen.stream().allMatch(s -> s.ami().equals(args.newAmi())));
  }

  /** The launches that add {@code count} to a fleet, balanced over the subnets. */
  private List<Launch> launches(String fleet, Map<String, Integer> current, int count, String ami) {
    List<Launch> launches = new ArrayList<>();
    FleetSpread.topUp(args.subnets(), current, count)
        .forEach((subnet, n) -> launches.addAll(chunks(fleet, subnet, n, ami)));
    return launches;
  }

  private static List<Launch> chunks(String fleet, String subnet, int count, String ami) {
    List<Launch> launches = new ArrayList<>();
    for (int left = count; left > 0; left -= FloorPacer.MAX_INSTANCES_PER_LAUNCH) {
      launches.add(
          new Launch(fleet, subnet, Math.min(left, FloorPacer.MAX_INSTANCES_PER_LAUNCH), ami));
    }
    return launches;
  }

  private void launchAll(List<Launch> launches) throws Exception {
    List<Callable<Void>> calls = new ArrayList<>();
    for (Launch launch : launches) {
      calls.add(
          () -> {
            int launched = ec2.run(launch).size();
            timeline.changed(launched, System.nanoTime());
            return null;
          });
    }
    runAll(calls);
  }

  private void terminateAll(List<String> ids) throws Exception {
    List<Callable<Void>> calls = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += IDS_PER_TERMINATE) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + IDS_PER_TERMINATE));
      calls.add(
          () -> {
            int terminated = ec2.terminate(batch);
            timeline.changed(-terminated, System.nanoTime());
            return null;
          });
    }
    runAll(calls);
  }

  /** Runs the calls on the pool in the order given; the first failure fails the run. */
  private void runAll(List<Callable<Void>> calls) throws Exception {
    List<Future<Void>> futures = calls.stream().map(pool::submit).toList();
    for (Future<Void> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  /** Sweeps (DescribeInstances) until the floor's fleets show the end state, a second apart. */
  private void awaitRunning(Predicate<List<Seen>> done) {
    long deadline = System.nanoTime() + DONE_TIMEOUT_NANOS;
    while (true) {
      List<Seen> running =
          ec2.describe().stream().filter(s -> s.state().equals("running")).toList();
      if (done.test(running)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the end state did not show within 30 min; last sweep: " + running.size() + " running");
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** The floor's fleets a sweep showed, instances per subnet; they must be the F asked for. */
  private Map<String, Map<String, Integer>> existingFleets(List<Seen> seen) {
    Map<String, Map<String, Integer>> fleets = perFleetAndSubnet(seen);
    if (fleets.size() != args.fleets()) {
      throw new IllegalStateException(
          "--scenario "
              + args.scenario()
              + " expects the "
              + args.fleets()
              + " fleets of a cold run; DescribeInstances shows "
              + fleets.size());
    }
    return fleets;
  }

  private static Map<String, Map<String, Integer>> perFleetAndSubnet(List<Seen> seen) {
    return seen.stream()
        .collect(
            Collectors.groupingBy(
                Seen::fleet,
                TreeMap::new,
                Collectors.groupingBy(Seen::subnet, Collectors.summingInt(s -> 1))));
  }

  private static int total(Map<String, Integer> bySubnet) {
    return bySubnet.values().stream().mapToInt(Integer::intValue).sum();
  }

  private void write(double start, double seconds) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scenario", args.scenario());
    out.put("fleets", args.fleets());
    out.put("replicas", args.replicas());
    out.put("start", start);
    out.put("end", start + seconds);
    out.put("seconds", seconds);
    out.put("calls", ec2.calls());
    out.put("throttled", ec2.throttled());
    out.put("timeline", timeline.points());
    new ObjectMapper().writeValue(new File(args.out()), out);
  }
}
