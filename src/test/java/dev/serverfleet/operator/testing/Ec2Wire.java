package dev.serverfleet.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The wire side of {@link Ec2FaultProxy}: EC2 Query-protocol requests in, moto's answers out, EC2's
 * error XML, and the edits of describe answers.
 */
final class Ec2Wire {
  private static final String XML = "text/xml;charset=UTF-8";

  /**
   * Not copied to moto: hop-by-hop headers, the ones java.net.http sets itself (it refuses Host,
   * Connection, Content-Length, Expect, Upgrade), and Accept-Encoding, so that answers come back
   * uncompressed and can be edited. Moto does not check signatures, so the changed Host is
   * harmless; it finds the service and region in the Authorization header's credential scope.
   */
  private static final Set<String> NOT_FORWARDED =
      Set.of(
          "host",
          "connection",
          "content-length",
          "expect",
          "upgrade",
          "transfer-encoding",
          "keep-alive",
          "te",
          "trailer",
          "proxy-connection",
          "accept-encoding");

  /** One EC2 call as it arrived: its Query parameters merged from the URL and the form body. */
  record Request(
      String method,
      String target,
      Map<String, List<String>> headers,
      byte[] body,
      Map<String, String> params) {

    static Request read(HttpExchange exchange) throws IOException {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, String> params = new LinkedHashMap<>();
      URI uri = exchange.getRequestURI();
      parseForm(uri.getRawQuery(), params);
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (type == null
          || type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
        parseForm(new String(body, UTF_8), params);
      }
      return new Request(
          exchange.getRequestMethod(),
          uri.toString(),
          Map.copyOf(exchange.getRequestHeaders()),
          body,
          Map.copyOf(params));
    }

    String action() {
      return params.getOrDefault("Action", "");
    }

    /** The ClientToken parameter, or null. */
    String clientToken() {
      return params.get("ClientToken");
    }

    /** The MinCount parameter (RunInstances), 0 when absent or not a number. */
    int minCount() {
      try {
        return Integer.parseInt(params.getOrDefault("MinCount", "0"));
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    /** The MaxCount parameter (RunInstances), 0 when absent or not a number. */
    int maxCount() {
      try {
        return Integer.parseInt(params.getOrDefault("MaxCount", "0"));
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    /** The ids of InstanceId.1, InstanceId.2, ... (EC2's list encoding). */
    List<String> instanceIds() {
      List<String> ids = new ArrayList<>();
      for (int n = 1; params.containsKey("InstanceId." + n); n++) {
        ids.add(params.get("InstanceId." + n));
      }
      return ids;
    }

    private static void parseForm(String form, Map<String, String> into) {
      if (form == null || form.isEmpty()) {
        return;
      }
      for (String pair : form.split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), UTF_8);
        into.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), UTF_8));
      }
    }
  }

  /** An answer to send: status, the headers worth passing on, body. */
  record Answer(int status, Map<String, List<String>> headers, byte[] body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    Answer withBody(byte[] newBody) {
      return new Answer(status, headers, newBody);
    }
  }

  private Ec2Wire() {}

  /** Sends the request to moto and returns its answer with Content-Type and x-amz* headers. */
  static Answer forward(HttpClient http, URI upstream, Request request)
      throws IOException, InterruptedException {
    String base = upstream.toString().replaceAll("/+$", "");
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + request.target()))
            .timeout(Duration.ofSeconds(60))
            .method(
                request.method(),
                request.body().length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request
        .headers()
        .forEach(
            (name, values) -> {
              if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> builder.header(name, v));
              }
            });
    HttpResponse<byte[]> response =
        http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (lower.equals("content-type") || lower.startsWith("x-amz")) {
                headers.put(name, values);
              }
            });
    return new Answer(response.statusCode(), headers, response.body());
  }

  /** EC2's error document, as the SDK's EC2 error unmarshaller reads it. */
  static Answer error(int status, String code, String message) {
    String requestId = UUID.randomUUID().toString();
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>"
            + escape(code)
            + "</Code><Message>"
            + escape(message)
            + "</Message></Error></Errors><RequestID>"
            + requestId
            + "</RequestID></Response>";
    return new Answer(
        status,
        Map.of("Content-Type", List.of(XML), "x-amzn-RequestId", List.of(requestId)),
        xml.getBytes(UTF_8));
  }

  /** A proxy failure that is not EC2's (moto unreachable): plain text, so nobody mistakes it. */
  static Answer plain(int status, String text) {
    return new Answer(
        status, Map.of("Content-Type", List.of("text/plain;charset=UTF-8")), text.getBytes(UTF_8));
  }

  /** The instance ids in a RunInstances answer ({@code instancesSet/item/instanceId}). */
  static List<String> launchedIds(byte[] runInstancesAnswer) {
    Element root = parse(runInstancesAnswer).getDocumentElement();
    return children(root, "instancesSet", "item").stream()
        .map(item -> text(item, "instanceId"))
        .toList();
  }

  /**
   * The answer without the instances {@code hidden} names. DescribeInstances: drops {@code
   * reservationSet/item/instancesSet/item} elements, and a reservation this leaves empty;
   * DescribeInstanceStatus: drops {@code instanceStatusSet/item} elements. Everything else,
   * nextToken included, stays as moto wrote it. Returns {@code body} itself when nothing is hidden.
   */
  static byte[] withoutInstances(String action, byte[] body, Predicate<String> hidden) {
    Document doc = parse(body);
    Element root = doc.getDocumentElement();
    boolean changed = false;
    if (action.equals("DescribeInstances")) {
      for (Element reservation : children(root, "reservationSet", "item")) {
        for (Element set : children(reservation, "instancesSet")) {
          boolean removed = removeHidden(set, hidden);
          changed |= removed;
          if (removed && children(set, "item").isEmpty()) {
            reservation.getParentNode().removeChild(reservation);
          }
        }
      }
    } else {
      for (Element set : children(root, "instanceStatusSet")) {
        changed |= removeHidden(set, hidden);
      }
    }
    return changed ? serialize(doc) : body;
  }

  private static boolean removeHidden(Element set, Predicate<String> hidden) {
    boolean removed = false;
    for (Element item : children(set, "item")) {
      if (hidden.test(text(item, "instanceId"))) {
        set.removeChild(item);
        removed = true;
      }
    }
    return removed;
  }

  /** The elements at {@code path} below {@code from}, direct children at each step (a snapshot). */
  static List<Element> children(Element from, String... path) {
    List<Element> level = List.of(from);
    for (String name : path) {
      List<Element> next = new ArrayList<>();
      for (Element parent : level) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element e && localName(e).equals(name)) {
            next.add(e);
          }
        }
      }
      level = next;
    }
    return level;
  }

  static String text(Element parent, String child) {
    List<Element> found = children(parent, child);
    return found.isEmpty() ? "" : found.get(0).getTextContent().trim();
  }

  private static String localName(Element e) {
    String name = e.getNodeName();
    return name.substring(name.indexOf(':') + 1);
  }

  static Document parse(byte[] xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new IllegalStateException("not an EC2 XML answer: " + new String(xml, UTF_8), e);
    }
  }

  static byte[] serialize(Document doc) {
    try {
      doc.setXmlStandalone(true); // no standalone="no" in the declaration
      var transformer = TransformerFactory.newInstance().newTransformer();
      transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      transformer.transform(new DOMSource(doc), new StreamResult(out));
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the edited answer", e);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
