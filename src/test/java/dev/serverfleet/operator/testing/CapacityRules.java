package dev.serverfleet.operator.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.serverfleet.operator.testing.Ec2Wire.Answer;
import dev.serverfleet.operator.testing.Ec2Wire.Request;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.w3c.dom.Element;

/**
 * The capacity faults of {@link Ec2FaultProxy}: instance types a zone has no capacity for, each
 * answered to RunInstances with EC2's InsufficientInstanceCapacity (HTTP 500, the error document
 * EC2 sends, worded as EC2 words it), unforwarded. A request names a subnet, the rule a zone: the
 * subnet's zone is asked of moto once (DescribeSubnets with the request's own headers, so the same
 * account and region) and kept. Spot rules refuse only spot RunInstances (the query form's
 * InstanceMarketOptions.MarketType=spot), as a zone out of spot capacity still sells on-demand.
 * Thread-safe.
 */
final class CapacityRules {
  private record TypeInZone(String instanceType, String zone) {}

  private final Set<TypeInZone> noCapacity = ConcurrentHashMap.newKeySet();
  private final Set<TypeInZone> noSpotCapacity = ConcurrentHashMap.newKeySet();
  private final Map<String, String> zoneBySubnet = new ConcurrentHashMap<>();

  void setSpot(String instanceType, String zone, boolean unavailable) {
    TypeInZone key = new TypeInZone(instanceType, zone);
    if (unavailable) {
      noSpotCapacity.add(key);
    } else {
      noSpotCapacity.remove(key);
    }
  }

  void set(String instanceType, String zone, boolean unavailable) {
    TypeInZone key = new TypeInZone(instanceType, zone);
    if (unavailable) {
      noCapacity.add(key);
    } else {
      noCapacity.remove(key);
    }
  }

  void clear() {
    noCapacity.clear();
    noSpotCapacity.clear();
  }

  /** EC2's refusal of this RunInstances, when a rule covers its type in its subnet's zone. */
  Optional<Answer> refusal(Request request, HttpClient http, URI upstream)
      throws InterruptedException {
    if ((noCapacity.isEmpty() && noSpotCapacity.isEmpty())
        || !request.action().equals("RunInstances")) {
      return Optional.empty();
    }
    String type = request.params().get("InstanceType");
    String subnet = request.params().get("SubnetId");
    if (type == null || subnet == null) {
      return Optional.empty();
    }
    String zone = zoneOf(subnet, request, http, upstream);
    boolean spot = "spot".equals(request.params().get("InstanceMarketOptions.MarketType"));
    if (zone == null || !refused(new TypeInZone(type, zone), spot)) {
      return Optional.empty();
    }
    Set<String> others = new TreeSet<>();
    zoneBySubnet.values().stream()
        .filter(z -> !z.equals(zone) && !refused(new TypeInZone(type, z), spot))
        .forEach(others::add);
    return Optional.of(
        Ec2Wire.error(
            500,
            "InsufficientInstanceCapacity",
            "We currently do not have sufficient "
                + type
                + " capacity in the Availability Zone you requested ("
                + zone
                + "). Our system will be working on provisioning additional capacity. You can"
                + " currently get "
                + type
                + " capacity by not specifying an Availability Zone in your request"
                + (others.isEmpty() ? "." : " or choosing " + String.join(", ", others) + ".")));
  }

  private boolean refused(TypeInZone key, boolean spot) {
    return noCapacity.contains(key) || (spot && noSpotCapacity.contains(key));
  }

  private String zoneOf(String subnet, Request request, HttpClient http, URI upstream)
      throws InterruptedException {
    String known = zoneBySubnet.get(subnet);
    if (known != null) {
      return known;
    }
    String form =
        "Action=DescribeSubnets&Version="
            + request.params().getOrDefault("Version", "2016-11-15")
            + "&SubnetId.1="
            + URLEncoder.encode(subnet, UTF_8);
    Map<String, String> params = new HashMap<>();
    params.put("Action", "DescribeSubnets");
    Request describe =
        new Request("POST", "/", request.headers(), form.getBytes(UTF_8), Map.copyOf(params));
    try {
      Answer answer = Ec2Wire.forward(http, upstream, describe);
      if (!answer.ok()) {
        return null;
      }
      Element root = Ec2Wire.parse(answer.body()).getDocumentElement();
      for (Element item : Ec2Wire.children(root, "subnetSet", "item")) {
        zoneBySubnet.put(Ec2Wire.text(item, "subnetId"), Ec2Wire.text(item, "availabilityZone"));
      }
    } catch (IOException e) {
      return null;
    }
    return zoneBySubnet.get(subnet);
  }
}
