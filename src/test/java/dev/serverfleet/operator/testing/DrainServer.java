package dev.serverfleet.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A drain service for the tests, on 127.0.0.1 only: {@code POST /drain-<millis>} answers 200 after
 * that long (the drain's work), {@code /never} does not answer within a minute, {@code /fail}
 * answers 500 at once. Every request is recorded when it arrives, with its body, and again when it
 * was answered ({@link Request#answered} null until then).
 */
public final class DrainServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One drain request. */
  public record Request(
      String path,
      Map<String, Object> body,
      String authorization,
      Instant received,
      Instant answered,
      int status) {

    public String instanceId() {
      return String.valueOf(body.get("instanceId"));
    }
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private DrainServer(HttpServer server) {
    this.server = server;
  }

  public static DrainServer start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      DrainServer drains = new DrainServer(server);
      server.setExecutor(drains.pool);
      server.createContext("/", drains::handle);
      server.start();
      return drains;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the operator is to send calls for the spec's host (test-only loopback redirect). */
  public URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requestsFor(String instanceId) {
    return requests.stream().filter(r -> r.instanceId().equals(instanceId)).toList();
  }

  @SuppressWarnings("unchecked")
  private void handle(HttpExchange exchange) throws IOException {
    Instant received = Instant.now();
    Map<String, Object> body;
    try (InputStream in = exchange.getRequestBody()) {
      body = JSON.readValue(in.readAllBytes(), Map.class);
    }
    String path = exchange.getRequestURI().getPath();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    int index = record(new Request(path, body, auth, received, null, 0), -1);
    int status = 200;
    try {
      if (path.startsWith("/drain-")) {
        TimeUnit.MILLISECONDS.sleep(Long.parseLong(path.substring("/drain-".length())));
      } else if (path.equals("/never")) {
        TimeUnit.SECONDS.sleep(60);
      } else {
        status = 500;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 503;
    }
    record(new Request(path, body, auth, received, Instant.now(), status), index);
    try {
      exchange.sendResponseHeaders(status, -1);
    } catch (IOException e) {
      // the operator gave up on this request (its timeout, or it was stopped)
    }
    exchange.close();
  }

  /** Adds a request (index -1) or replaces it once answered; returns its index. */
  private synchronized int record(Request r, int index) {
    if (index < 0) {
      requests.add(r);
      return requests.size() - 1;
    }
    requests.set(index, r);
    return index;
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
