package dev.serverfleet.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpFullRequest;

/**
 * Records the RunInstances requests an EC2 client sends, as EC2 receives them: the Query protocol's
 * form parameters ({@code BlockDeviceMapping.1.Ebs.VolumeSize=30}, {@code Placement.Tenancy=...}),
 * read from the marshalled body just before it goes on the wire. For the settings moto accepts and
 * ignores, this is the proof that the operator sent them.
 */
public final class RunInstancesCapture implements ExecutionInterceptor {
  private final List<Map<String, String>> runs = new ArrayList<>();

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
    // The SDK moves the Query protocol's parameters into the body inside its pipeline, after the
    // interceptors that see context.requestBody(): the request about to be sent carries them.
    if (!(context.httpRequest() instanceof SdkHttpFullRequest request)) {
      return;
    }
    request
        .contentStreamProvider()
        .ifPresent(
            body -> {
              Map<String, String> form = parse(read(body.newStream()));
              if ("RunInstances".equals(form.get("Action"))) {
                synchronized (runs) {
                  runs.add(form);
                }
              }
            });
  }

  /** Every RunInstances sent so far, in order, each as its form parameters (URL-decoded). */
  public List<Map<String, String>> runs() {
    synchronized (runs) {
      return List.copyOf(runs);
    }
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
