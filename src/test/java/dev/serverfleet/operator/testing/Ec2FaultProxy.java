package dev.serverfleet.operator.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.serverfleet.operator.testing.Ec2Call.Outcome;
import dev.serverfleet.operator.testing.Ec2Wire.Answer;
import dev.serverfleet.operator.testing.Ec2Wire.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy between an EC2 client and moto that answers as AWS EC2 would where moto does not,
 * and injects faults on demand: point the client's endpoint at {@link #endpoint()}.
 *
 * <p>Always on, as on AWS: a call whose (action, ClientToken) already got a 2xx answer from moto is
 * answered with that first body and not forwarded, even when the first answer never reached the
 * client (dropped, or replaced by a 500 after moto acted); the same token with other parameters
 * fails with IdempotentParameterMismatch. Calls with one token are served one at a time.
 *
 * <p>A call goes: take the action's next one-shot fault; wait the action's {@link #delay}, and
 * while the action is {@linkplain #hold held}; a fault that refuses (throttle, {@link #fail},
 * internal error before moto) answers without forwarding; otherwise a describe by id of a
 * {@linkplain #hideNewInstances hidden} instance fails with InvalidInstanceID.NotFound, or the
 * first answer is replayed, or moto is called (and describe answers lose hidden instances); then a
 * fault after moto (internal error after, dropped answer) replaces the answer. One-shot faults
 * queue per action in the order they were asked for.
 *
 * <p>Every method is thread-safe.
 */
public final class Ec2FaultProxy implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final String MISMATCH_MESSAGE =
      "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).";

  private record Fault(
      Outcome outcome, int status, String code, String message, boolean afterUpstream) {}

  private record Result(Answer answer, Outcome outcome, boolean upstream) {}

  private static final Fault THROTTLED =
      new Fault(Outcome.THROTTLED, 503, "RequestLimitExceeded", "Request limit exceeded.", false);

  /** The first successful answer to one (action, client token), and the parameters it was for. */
  private static final class TokenSlot {
    Map<String, String> params;
    Answer answer;
  }

  private final URI upstream;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ec2-fault-proxy-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private final int port;
  private HttpServer server; // null while unreachable; guarded by this
  private final Map<String, Deque<Fault>> faults = new HashMap<>(); // guarded by itself
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
  private volatile Duration hideFor = Duration.ZERO;
  private volatile Duration pendingFor = Duration.ZERO;
  private final Map<String, Instant> launchedAt = new ConcurrentHashMap<>();
  private final Map<String, TokenSlot> tokens = new ConcurrentHashMap<>();
  private final List<Ec2Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
  private volatile AccountLimits accountLimits; // null: unmetered, as moto is
  private final CapacityRules capacity = new CapacityRules();

  private Ec2FaultProxy(URI upstream) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.server = bind(0);
    this.port = server.getAddress().getPort();
  }

  /** A proxy to {@code upstream} (moto's endpoint) on 127.0.0.1 and a free port, listening. */
  public static Ec2FaultProxy start(URI upstream) {
    return new Ec2FaultProxy(upstream);
  }

  /** {@code http://127.0.0.1:<port>}; the port stays the same across {@link #unreachable}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * From now on every call draws on EC2's default account token buckets ({@link AccountLimits}): a
   * call that finds its bucket empty gets HTTP 503 RequestLimitExceeded, unforwarded. RunInstances
   * also draws MaxCount tokens from the instance bucket (1,000, refilled at 2 per second).
   */
  public void meterLikeAnAccount() {
    accountLimits = new AccountLimits();
  }

  /** As {@link #meterLikeAnAccount()}, with an instance bucket of this size (short tests). */
  public void meterLikeAnAccount(int instanceCapacity, double instancesPerSecond) {
    accountLimits = new AccountLimits(instanceCapacity, instancesPerSecond);
  }

  /**
   * The next {@code times} calls of {@code action} get HTTP 503 RequestLimitExceeded, unforwarded.
   */
  public void throttle(String action, int times) {
    add(action, times, THROTTLED);
  }

  /**
   * The next {@code times} calls of {@code action} get HTTP 500 InternalError; with {@code
   * afterUpstream} moto gets the call first and acts (a launch happens, its answer is lost).
   */
  public void internalError(String action, int times, boolean afterUpstream) {
    add(
        action,
        times,
        new Fault(
            Outcome.INTERNAL_ERROR,
            500,
            "InternalError",
            "An internal error has occurred.",
            afterUpstream));
  }

  /**
   * The next {@code times} calls of {@code action} get this EC2 error, unforwarded: for example 500
   * InsufficientInstanceCapacity or 400 InstanceLimitExceeded.
   */
  public void fail(String action, int times, int httpStatus, String code, String message) {
    add(action, times, new Fault(Outcome.FAILED, httpStatus, code, message, false));
  }

  /**
   * While {@code unavailable}, every RunInstances of {@code instanceType} into a subnet of {@code
   * zone} (as moto knows the subnet) gets EC2's HTTP 500 InsufficientInstanceCapacity, unforwarded;
   * false switches it off. Independent of the one-shot faults; {@link #clearFaults} ends it too.
   */
  public void noCapacity(String instanceType, String zone, boolean unavailable) {
    capacity.set(instanceType, zone, unavailable);
  }

  /** As {@link #noCapacity}, for spot RunInstances only (InstanceMarketOptions.MarketType=spot). */
  public void noSpotCapacity(String instanceType, String zone, boolean unavailable) {
    capacity.setSpot(instanceType, zone, unavailable);
  }

  /**
   * The next {@code times} calls of {@code action} go to moto (which acts), and then the client
   * gets no answer: the connection is closed without a response, an IO error for the SDK.
   */
  public void dropAnswer(String action, int times) {
    add(action, times, new Fault(Outcome.DROPPED, 0, null, null, true));
  }

  /**
   * Every call of {@code action} waits this long before anything else; {@link Duration#ZERO}
   * clears.
   */
  public void delay(String action, Duration delay) {
    if (delay.isZero()) {
      delays.remove(action);
    } else {
      delays.put(action, delay);
    }
  }

  /**
   * Every call of {@code action} from now on is held, after its {@link #delay} and before anything
   * else, until {@link #release}: a call the test keeps in flight as long as it needs, where a
   * delay would guess how long that is. Keep it under the client's read timeout (the SDK's: 30 s).
   */
  public void hold(String action) {
    holds.putIfAbsent(action, new CountDownLatch(1));
  }

  /** Lets every held call of {@code action} go on, and holds no more. */
  public void release(String action) {
    CountDownLatch gate = holds.remove(action);
    if (gate != null) {
      gate.countDown();
    }
  }

  /**
   * Instances launched through this proxy are absent from DescribeInstances and
   * DescribeInstanceStatus answers until {@code d} after their launch (EC2's eventual consistency),
   * and a describe naming one by id fails with InvalidInstanceID.NotFound. Applies to instances
   * launched before the call too; {@link Duration#ZERO} turns it off.
   */
  public void hideNewInstances(Duration d) {
    hideFor = Objects.requireNonNull(d, "d");
  }

  /**
   * Instances launched through this proxy are pending for {@code d} after their launch, as on EC2
   * (moto launches straight into running): DescribeInstances answers show them pending, and
   * DescribeInstanceStatus answers leave them out (no status checks before running). Applies to
   * instances launched before the call too; {@link Duration#ZERO} turns it off.
   */
  public void reportPending(Duration d) {
    pendingFor = Objects.requireNonNull(d, "d");
  }

  /** When an instance launched through this proxy is reported running, or null if unknown. */
  public Instant runningAt(String instanceId) {
    Instant launched = launchedAt.get(instanceId);
    return launched == null ? null : launched.plus(pendingFor);
  }

  /**
   * Down: stops listening, so connections are refused (and open ones closed); nothing arrives, so
   * nothing is recorded. Up: listens again on the same port.
   */
  public synchronized void unreachable(boolean down) {
    if (down && server != null) {
      server.stop(0);
      server = null;
    } else if (!down && server == null) {
      server = bind(port);
    }
  }

  /**
   * Forgets one-shot faults, delays, holds (releasing held calls), hiding, pending and capacity
   * rules. Client tokens stay honoured.
   */
  public void clearFaults() {
    capacity.clear();
    synchronized (faults) {
      faults.clear();
    }
    delays.clear();
    List.copyOf(holds.keySet()).forEach(this::release);
    hideFor = Duration.ZERO;
    pendingFor = Duration.ZERO;
  }

  /** Every call that reached the proxy, in the order their answers were ready. */
  public List<Ec2Call> calls() {
    return List.copyOf(calls);
  }

  /** The number of calls of {@code action} that reached the proxy. */
  public long count(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).count();
  }

  /**
   * Calls of {@code action} that have arrived so far, answered or not: with {@link #count}, tells a
   * test when every call that arrived before a {@link #delay} was set has been answered.
   */
  public int arrived(String action) {
    AtomicInteger n = arrivals.get(action);
    return n == null ? 0 : n.get();
  }

  /** Calls of {@code action} that have arrived and not been answered yet (delayed ones, say). */
  public int inFlight(String action) {
    AtomicInteger n = inFlight.get(action);
    return n == null ? 0 : n.get();
  }

  public void clearCalls() {
    calls.clear();
  }

  @Override
  public void close() {
    List.copyOf(holds.keySet()).forEach(this::release);
    unreachable(true);
    workers.shutdownNow();
  }

  private HttpServer bind(int onPort) {
    try {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
      s.createContext("/", this::handle);
      s.setExecutor(workers);
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + onPort, e);
    }
  }

  private void add(String action, int times, Fault fault) {
    synchronized (faults) {
      Deque<Fault> queue = faults.computeIfAbsent(action, a -> new ArrayDeque<>());
      for (int n = 0; n < times; n++) {
        queue.add(fault);
      }
    }
  }

  private Fault nextFault(String action) {
    synchronized (faults) {
      Deque<Fault> queue = faults.get(action);
      return queue == null ? null : queue.poll();
    }
  }

  private void handle(HttpExchange exchange) {
    try (exchange) {
      Instant start = Instant.now();
      Request request = Request.read(exchange);
      arrivals.computeIfAbsent(request.action(), a -> new AtomicInteger()).incrementAndGet();
      AtomicInteger arrived = inFlight.computeIfAbsent(request.action(), a -> new AtomicInteger());
      arrived.incrementAndGet();
      Result result;
      try {
        AccountLimits metered = accountLimits;
        Fault fault =
            metered == null || metered.admit(request.action(), request.maxCount())
                ? nextFault(request.action())
                : THROTTLED;
        Duration delay = delays.get(request.action());
        if (delay != null) {
          Thread.sleep(delay.toMillis());
        }
        CountDownLatch gate = holds.get(request.action());
        if (gate != null) {
          gate.await();
        }
        result = serve(request, fault);
      } finally {
        arrived.decrementAndGet();
      }
      Answer answer = result.answer();
      calls.add(
          new Ec2Call(
              request.action(),
              request.clientToken(),
              start,
              Instant.now(),
              answer == null ? 0 : answer.status(),
              result.outcome(),
              result.upstream(),
              request.minCount(),
              request.instanceIds(),
              request.params().get("SubnetId"),
              request.params().get("InstanceType")));
      if (answer == null) {
        // Closing an exchange whose response headers were never sent closes the connection
        // (ExchangeImpl.close), so the client reads EOF instead of a status line: the SDK throws
        // SdkClientException "Unexpected end of file from server". A plain HttpURLConnection POST
        // would be resent once behind the caller's back (sun.net.http.retryPost is true by
        // default); the SDK's client sets a fixed-length streaming body, which turns that resend
        // off.
        return;
      }
      exchange.getResponseHeaders().putAll(answer.headers());
      byte[] body = answer.body();
      exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // the client gets a closed connection; nothing else to tell it
    }
  }

  private Result serve(Request request, Fault fault) throws InterruptedException {
    if (fault != null && !fault.afterUpstream()) {
      return new Result(
          Ec2Wire.error(fault.status(), fault.code(), fault.message()), fault.outcome(), false);
    }
    var noCapacity = capacity.refusal(request, http, upstream);
    if (noCapacity.isPresent()) {
      return new Result(noCapacity.get(), Outcome.NO_CAPACITY, false);
    }
    Result result;
    List<String> hiddenAsked =
        isDescribe(request.action())
            ? request.instanceIds().stream().filter(this::hidden).toList()
            : List.of();
    if (!hiddenAsked.isEmpty()) {
      String message =
          hiddenAsked.size() == 1
              ? "The instance ID '" + hiddenAsked.get(0) + "' does not exist"
              : "The instance IDs '" + String.join(", ", hiddenAsked) + "' do not exist";
      result =
          new Result(
              Ec2Wire.error(400, "InvalidInstanceID.NotFound", message),
              Outcome.NOT_YET_VISIBLE,
              false);
    } else if (request.clientToken() != null) {
      result = forwardOnce(request);
    } else {
      result = forward(request);
    }
    if (fault == null) {
      return result;
    }
    Answer replaced =
        fault.outcome() == Outcome.DROPPED
            ? null
            : Ec2Wire.error(fault.status(), fault.code(), fault.message());
    return new Result(replaced, fault.outcome(), result.upstream());
  }

  private Result forwardOnce(Request request) throws InterruptedException {
    TokenSlot slot =
        tokens.computeIfAbsent(
            request.action() + ' ' + request.clientToken(), k -> new TokenSlot());
    synchronized (slot) {
      if (slot.answer != null) {
        return slot.params.equals(request.params())
            ? new Result(slot.answer, Outcome.REPLAYED, false)
            : new Result(
                Ec2Wire.error(400, "IdempotentParameterMismatch", MISMATCH_MESSAGE),
                Outcome.TOKEN_MISMATCH,
                false);
      }
      Result result = forward(request);
      if (result.answer().ok()) {
        slot.params = request.params();
        slot.answer = result.answer();
      }
      return result;
    }
  }

  private Result forward(Request request) throws InterruptedException {
    Answer answer;
    try {
      answer = Ec2Wire.forward(http, upstream, request);
    } catch (IOException e) {
      return new Result(
          Ec2Wire.plain(502, "moto at " + upstream + " unreachable: " + e),
          Outcome.UPSTREAM_FAILED,
          false);
    }
    if (answer.ok() && request.action().equals("RunInstances")) {
      Instant now = Instant.now();
      Ec2Wire.launchedIds(answer.body()).forEach(id -> launchedAt.putIfAbsent(id, now));
    } else if (answer.ok() && isDescribe(request.action())) {
      if (!hideFor.isZero()) {
        answer =
            answer.withBody(
                Ec2Wire.withoutInstances(request.action(), answer.body(), this::hidden));
      }
      if (!pendingFor.isZero()) {
        answer = answer.withBody(pending(request.action(), answer.body()));
      }
    }
    return new Result(answer, Outcome.FORWARDED, true);
  }

  private byte[] pending(String action, byte[] body) {
    return action.equals("DescribeInstances")
        ? PendingAnswers.pendingWhile(body, this::young)
        : Ec2Wire.withoutInstances(action, body, this::young);
  }

  private boolean young(String instanceId) {
    Instant running = runningAt(instanceId);
    return running != null && Instant.now().isBefore(running);
  }

  private boolean hidden(String instanceId) {
    Instant launched = launchedAt.get(instanceId);
    return launched != null && Instant.now().isBefore(launched.plus(hideFor));
  }

  private static boolean isDescribe(String action) {
    return action.equals("DescribeInstances") || action.equals("DescribeInstanceStatus");
  }
}
