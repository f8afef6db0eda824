package dev.serverfleet.operator.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.api.v1alpha1.HeaderFrom;
import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.WebhookAction;
import dev.serverfleet.operator.fleet.Instance;
import dev.serverfleet.operator.planning.Drain;
import dev.serverfleet.operator.planning.DrainMachine;
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
 */
public final class WebhookCalls implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int DEFAULT_TIMEOUT_SECONDS = 60;

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
    CompletableFuture<DrainActions.Probed> call = calls.get(key(fleet, d, d.attempts()));
    if (call == null) {
      return DrainActions.Probed.NONE;
    }
    if (!call.isDone()) {
      return new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, null);
    }
    return call.join();
  }

  DrainActions.Sent send(ServerFleet fleet, WebhookAction hook, Instance instance, Drain d) {
    if (!slots.tryAcquire()) {
      return DrainActions.Sent.deferred();
    }
    String key = key(fleet, d, d.attempts() + 1);
    try {
      calls.put(
          key,
          CompletableFuture.supplyAsync(() -> call(fleet, hook, instance, d), pool)
              .whenComplete((r, e) -> slots.release()));
    } catch (RuntimeException e) {
      slots.release();
      calls.remove(key);
      return DrainActions.Sent.deferred();
    }
    return DrainActions.Sent.made(null);
  }

  void forget(ServerFleet fleet, Drain d) {
    calls.remove(key(fleet, d, d.attempts()));
  }

  /** Calls in this process not yet forgotten, for tests. */
  int remembered() {
    return calls.size();
  }

  /** On the pool: check the address, read the header, POST, classify the answer. */
  private DrainActions.Probed call(
      ServerFleet fleet, WebhookAction hook, Instance instance, Drain d) {
    WebhookTargets.Target target = targets.check(hook.getUrl());
    if (target instanceof WebhookTargets.Refused refused) {
      return failed("refused: " + refused.why());
    }
    int timeout =
        Math.min(
            Optional.ofNullable(hook.getTimeoutSeconds()).orElse(DEFAULT_TIMEOUT_SECONDS),
            WebhookAction.MAX_TIMEOUT_SECONDS);
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
              request.POST(HttpRequest.BodyPublishers.ofString(body(fleet, instance, d))).build(),
              HttpResponse.BodyHandlers.discarding());
      int code = response.statusCode();
      return code >= 200 && code < 300
          ? new DrainActions.Probed(DrainMachine.Probe.SUCCEEDED, "HTTP " + code)
          : failed("HTTP " + code);
    } catch (HttpTimeoutException e) {
      // No answer within timeoutSeconds: the drain's own deadline (from its start, never later
      // than this) decides, as TimedOut.
      return new DrainActions.Probed(DrainMachine.Probe.IN_FLIGHT, "no answer");
    } catch (IOException | RuntimeException e) {
      return failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted");
    }
  }

  static String body(ServerFleet fleet, Instance instance, Drain d) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("instanceId", instance.id());
    body.put("fleet", fleet.getMetadata().getName());
    body.put("namespace", fleet.getMetadata().getNamespace());
    body.put("zone", instance.zone());
    body.put("privateIp", instance.privateIp());
    body.put("reason", d.reason());
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
