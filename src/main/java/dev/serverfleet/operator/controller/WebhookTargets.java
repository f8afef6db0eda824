package dev.serverfleet.operator.controller;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a drain webhook may go, checked in code before every call (the CRD's CEL rules check the
 * URL's text once, at admission; names can resolve anywhere later). A URL must be https and every
 * address its host resolves to must be public: not loopback, link-local (169.254.0.0/16, the
 * metadata service, fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7), unspecified or
 * multicast. What remains possible is DNS answering differently between this check and the
 * connection (rebinding); the CEL rules and this check narrow it, a network policy on the
 * operator's egress closes it.
 *
 * @param loopbackRedirects test-only: a host name whose calls go to a plain-http loopback URL
 *     instead (an in-process test's drain server on 127.0.0.1). Only code sets it (the in-process
 *     test bed); the operator's process has no flag for it, so a deployed operator never has one.
 */
public record WebhookTargets(Map<String, URI> loopbackRedirects) {
  public static final WebhookTargets STRICT = new WebhookTargets(Map.of());

  public WebhookTargets {
    loopbackRedirects = Map.copyOf(loopbackRedirects);
  }

  /** The URI to call, or why not. */
  public sealed interface Target permits Allowed, Refused {}

  public record Allowed(URI uri) implements Target {}

  public record Refused(String why) implements Target {}

  /** Resolves and checks; blocking (DNS), so called on the webhook pool, never in a reconcile. */
  public Target check(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return new Refused("not a URL: " + url);
    }
    String host = Optional.ofNullable(uri.getHost()).orElse("");
    URI redirect = loopbackRedirects.get(host);
    if (redirect != null) {
      return new Allowed(redirect.resolve(Optional.ofNullable(uri.getRawPath()).orElse("/")));
    }
    if (!"https".equals(uri.getScheme()) || host.isEmpty()) {
      return new Refused("webhook URL must be https:// with a host: " + url);
    }
    List<InetAddress> addresses;
    try {
      addresses = List.of(InetAddress.getAllByName(host));
    } catch (UnknownHostException e) {
      return new Refused("cannot resolve " + host);
    }
    for (InetAddress a : addresses) {
      Optional<String> why = refusal(a);
      if (why.isPresent()) {
        return new Refused(host + " resolves to " + a.getHostAddress() + ", " + why.get());
      }
    }
    return new Allowed(uri);
  }

  /** Why calls to this address are refused, if they are. */
  static Optional<String> refusal(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return Optional.of("a loopback address");
    }
    if (a.isLinkLocalAddress()) {
      return Optional.of("a link-local address (the instance metadata service lives there)");
    }
    if (a.isSiteLocalAddress() || uniqueLocal(a)) {
      return Optional.of("a private address");
    }
    if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
      return Optional.of("not a unicast address");
    }
    return Optional.empty();
  }

  /** fc00::/7, where AWS's IPv6 metadata endpoint fd00:ec2::254 lives. */
  private static boolean uniqueLocal(InetAddress a) {
    return a instanceof Inet6Address && (a.getAddress()[0] & 0xfe) == 0xfc;
  }
}
