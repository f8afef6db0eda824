package dev.serverfleet.operator.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.api.v1alpha1.HeaderFrom;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
import dev.serverfleet.operator.planning.Gate;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Drain webhooks: an HTTPS POST per drain attempt, made on a small pool of daemon threads shared by
 * all fleets, at most {@code maxConcurrent} at once (a call that finds them all busy waits for a
 * later pass). A reconcile only starts a call and, on later passes, looks whether it has answered:
 * it never waits for one. The answer lives in this process only: after a restart the drain's
 * request is sent again, so drain services must be idempotent.
 *
 * <p>Body: {@code {"instanceId","fleet","namespace","zone","privateIp","reason"}}; any 2xx is
 * success. Each request is bounded by the hook's timeoutSeconds. The address is checked before
 * every call ({@link WebhookTargets}); a header value is read from the referenced Secret at call
 * time, never kept.
 *
 * <p>Readiness gates (lifecycle.readinessGate.webhook) use the same pool and bound: the body
 * without the reason, each request bounded by the gate's timeoutSeconds (default 10).
 */
public final class WebhookCalls implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int DEFAULT_TIMEOUT_SECONDS = 60;
  static final int DEFAULT_GATE_TIMEOUT_SECONDS = 10;

  private final Map<String, CompletableFuture<DrainActions.Probed>> calls =
      new ConcurrentHashMap<>();
  private final Semaphore slots;
  private final ExecutorService pool;
  private final HttpClient http;
  private final WebhookTargets targets;
  private final SecretReader secrets;

  public WebhookCalls(int maxConcurrent, WebhookTargets targets, SecretReader secrets) {
    this.slots = new Semaphore(maxConcurrent);
    this.pool =
        Executors.newFixedThreadPool(
            maxConcurrent,
            r -> {
              Thread t = new Thread(r, "drain-webhook");
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.targets = targets;
    this.secrets = secrets;
  }

  private static String key(ServerFleet fleet, Drain d, int attempt) {
    return fleet.getMetadata().getUid() + "/" + d.instanceId() + "/" + attempt;
  }

  DrainActions.Probed probe(ServerFleet fleet, Drain d) {
    return probe(key(fleet, d, d.attempts()));
  }

  private DrainActions.Probed probe(String key) {
    CompletableFuture<DrainActions.Probed> call = calls.get(key);
    if (call == null) {
      return DrainActions.Probed.NONE;
    }
    if (!call.isDone()) {
      return new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, null);
    }
    return call.join();
  }

  DrainActions.Sent send(ServerFleet fleet, WebhookAction hook, Instance instance, Drain d) {
    int timeout = Optional.ofNullable(hook.getTimeoutSeconds()).orElse(DEFAULT_TIMEOUT_SECONDS);
    return start(
        key(fleet, d, d.attempts() + 1),
        () -> call(fleet, hook, body(fleet, instance, d), timeout));
  }

  void forget(ServerFleet fleet, Drain d) {
    calls.remove(key(fleet, d, d.attempts()));
  }

  private static String gateKey(ServerFleet fleet, String instanceId, int attempt) {
    return "gate/" + fleet.getMetadata().getUid() + "/" + instanceId + "/" + attempt;
  }

  /** A readiness gate's current request: its answer, or NONE when this process made none. */
  DrainActions.Probed probe(ServerFleet fleet, Gate g) {
    return probe(gateKey(fleet, g.instanceId(), g.attempts()));
  }

  /** A readiness gate's next request, through the same bound as drains. */
  DrainActions.Sent sendGate(ServerFleet fleet, WebhookAction gate, Instance instance, Gate g) {
    int timeout =
        Optional.ofNullable(gate.getTimeoutSeconds()).orElse(DEFAULT_GATE_TIMEOUT_SECONDS);
    DrainActions.Sent sent =
        start(
            gateKey(fleet, g.instanceId(), g.attempts() + 1),
            () -> call(fleet, gate, body(fleet, instance, null), timeout));
    if (sent.accepted()) {
      calls.remove(gateKey(fleet, g.instanceId(), g.attempts()));
    }
    return sent;
  }

  void forget(ServerFleet fleet, Gate g) {
    calls.remove(gateKey(fleet, g.instanceId(), g.attempts()));
  }

  /** Starts a call on the pool when a slot is free; never waits for one. */
  private DrainActions.Sent start(String key, Supplier<DrainActions.Probed> call) {
    if (!slots.tryAcquire()) {
      return DrainActions.Sent.deferred();
    }
    try {
      calls.put(
          key, CompletableFuture.supplyAsync(call, pool).whenComplete((r, e) -> slots.release()));
    } catch (RuntimeException e) {
      slots.release();
      calls.remove(key);
      return DrainActions.Sent.deferred();
    }
    return DrainActions.Sent.made(null);
  }

  /** Calls in this process not yet forgotten, for tests. */
  int remembered() {
    return calls.size();
  }

  /** On the pool: check the address, read the header, POST, classify the answer. */
  private DrainActions.Probed call(
      ServerFleet fleet, WebhookAction hook, String body, int timeoutSeconds) {
    WebhookTargets.Target target = targets.check(hook.getUrl());
    if (target instanceof WebhookTargets.Refused refused) {
      return failed("refused: " + refused.why());
    }
    int timeout = Math.min(timeoutSeconds, WebhookAction.MAX_TIMEOUT_SECONDS);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(((WebhookTargets.Allowed) target).uri())
            .timeout(Duration.ofSeconds(timeout))
            .header("Content-Type", "application/json")
            .header("User-Agent", "serverfleet-operator");
    try {
      HeaderFrom header = hook.getHeaderFrom();
      if (header != null) {
        String ns = fleet.getMetadata().getNamespace();
        Optional<String> value =
            secrets.read(ns, header.getSecretKeyRef().getName(), header.getSecretKeyRef().getKey());
        if (value.isEmpty()) {
          return failed(
              "Secret "
                  + ns
                  + "/"
                  + header.getSecretKeyRef().getName()
                  + " has no key "
                  + header.getSecretKeyRef().getKey());
        }
        request.header(header.getHeaderName(), value.get());
      }
      HttpResponse<Void> response =
          http.send(
              request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.discarding());
      int code = response.statusCode();
      return code >= 200 && code < 300
          ? new DrainActions.Probed(DrainMachine.Probe.SUCCEEDED, "HTTP " + code)
          : failed("HTTP " + code);
    } catch (HttpTimeoutException e) {
      // No answer within timeoutSeconds: the drain's own deadline (from its start, never later
      // than this) decides, as TimedOut; a gate's attempt is past its timeout, so failed.
      return new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, "no answer");
    } catch (IOException | RuntimeException e) {
      return failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted");
    }
  }

  /** The request's JSON; a readiness gate's ({@code d} null) has no reason. */
  static String body(ServerFleet fleet, Instance instance, Drain d) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("instanceId", instance.id());
    body.put("fleet", fleet.getMetadata().getName());
    body.put("namespace", fleet.getMetadata().getNamespace());
    body.put("zone", instance.zone());
    body.put("privateIp", instance.privateIp());
    if (d != null) {
      body.put("reason", d.reason());
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DrainActions.Probed failed(String why) {
    return new DrainActions.Probed(DrainMachine.Probe.FAILED, why);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
