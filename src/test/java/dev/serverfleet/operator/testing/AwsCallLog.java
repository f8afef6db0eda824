package dev.serverfleet.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpFullRequest;

/**
 * Records every Query-protocol request (EC2, ELBv2) the clients it is attached to put on the wire,
 * in one order across clients, with the time it left: which call came first, and how long after.
 * Read from the marshalled body just before transmission, as {@link RunInstancesCapture} does.
 */
public final class AwsCallLog implements ExecutionInterceptor {
  /** One request: its Action, its form parameters (URL-decoded), when it was sent. */
  public record Call(int seq, Instant at, String action, Map<String, String> form) {
    /**
     * Whether any {@code <prefix>N...} parameter has this value (InstanceId.1,
     * Targets.member.1.Id).
     */
    public boolean names(String id) {
      return form.values().contains(id);
    }
  }

  private final List<Call> calls = new ArrayList<>();

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
    if (!(context.httpRequest() instanceof SdkHttpFullRequest request)) {
      return;
    }
    request
        .contentStreamProvider()
        .ifPresent(
            body -> {
              Map<String, String> form = parse(read(body.newStream()));
              synchronized (calls) {
                calls.add(
                    new Call(calls.size(), Instant.now(), form.getOrDefault("Action", "?"), form));
              }
            });
  }

  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The first call of this action naming this id, if any. */
  public java.util.Optional<Call> first(String action, String id) {
    return calls().stream().filter(c -> c.action().equals(action) && c.names(id)).findFirst();
  }

  public long count(String action) {
    return calls().stream().filter(c -> c.action().equals(action)).count();
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> parse(String form) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}
