package dev.serverfleet.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A fleet of identical EC2 instances, kept at {@code spec.replicas} by the operator.
 */
@Group(ServerFleet.GROUP)
@Version(ServerFleet.VERSION)
@Plural("serverfleets")
@ShortNames("sf")
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.replicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Current", jsonPath = ".status.replicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Up-to-date", jsonPath = ".status.updatedReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "AMI", jsonPath = ".spec.template.amiId", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
public class ServerFleet extends CustomResource<ServerFleetSpec, ServerFleetStatus> implements Namespaced {
  public static final String GROUP = "serverfleet.dev";
  public static final String VERSION = "v1alpha1";

  /** Set to a timestamp to replace every instance, like {@code kubectl rollout restart}. */
  public static final String RESTARTED_AT = GROUP + "/restartedAt";

  /** {@code <namespace>/<name>}, the value of the {@code serverfleet.dev/fleet} tag. */
  public String fleetKey() {
    return getMetadata().getNamespace() + "/" + getMetadata().getName();
  }
}
