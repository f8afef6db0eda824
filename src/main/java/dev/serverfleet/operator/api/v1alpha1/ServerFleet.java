package dev.serverfleet.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A fleet of identical EC2 instances, kept at {@code spec.replicas} by the operator.
 *
 * <p>The name is at most {@value #MAX_NAME} characters, so that the tag values derived from it fit
 * EC2's 256: {@code serverfleet.dev/fleet=<namespace>/<name>} (a namespace has up to 63 characters,
 * and CEL cannot see it) and {@code Name=<name>-<10-digit revision>}.
 */
@Group(ServerFleet.GROUP)
@Version(ServerFleet.VERSION)
@Plural("serverfleets")
@ShortNames("sf")
// kubectl get sf prints these in this order, as kubectl get deploy does (NAME first, AGE last). The
// crd-generator sorts them by JSON path; PrinterColumnOrder restores this order in the build.
@AdditionalPrinterColumn(name = "Desired", jsonPath = ".spec.replicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Current", jsonPath = ".status.replicas", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.readyReplicas", type = Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Up-to-date",
    jsonPath = ".status.updatedReplicas",
    type = Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Available",
    jsonPath = ".status.availableReplicas",
    type = Type.INTEGER)
// status.resolvedAmiId: the AMI the fleet launches, whether spec pinned it or a selector chose it.
@AdditionalPrinterColumn(name = "AMI", jsonPath = ".status.resolvedAmiId", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
// CEL at the root may read metadata.name (not the namespace); fieldPath may not point into
// metadata. Checked on create only (the name is immutable): a fleet stored before this rule, with a
// longer name that fitted its namespace, must still take status writes and lose its finalizer.
@ValidationRule(
    value = "oldSelf.hasValue() || self.metadata.name.size() <= " + ServerFleet.MAX_NAME,
    optionalOldSelf = true,
    message =
        "metadata.name must be at most "
            + ServerFleet.MAX_NAME
            + " characters: the operator tags every "
            + "instance serverfleet.dev/fleet=<namespace>/<name>, and EC2 tag values hold at most 256 characters "
            + "(a namespace may have 63)")
public class ServerFleet extends CustomResource<ServerFleetSpec, ServerFleetStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  public static final String GROUP = "serverfleet.dev";
  public static final String VERSION = "v1alpha1";

  /** 256 (EC2's longest tag value) - 63 (longest namespace) - 1 (the '/' of the fleet tag). */
  public static final int MAX_NAME = 192;

  /** Set to a timestamp to replace every instance, like {@code kubectl rollout restart}. */
  public static final String RESTARTED_AT = GROUP + "/restartedAt";

  /**
   * Set to a revision number to roll back to it ({@code 0}: the one before the current), like
   * {@code kubectl rollout undo}; the operator writes that revision's template into spec.template
   * and removes the annotation.
   */
  public static final String ROLLBACK_TO = GROUP + "/rollback-to";

  /** {@code <namespace>/<name>}, the value of the {@code serverfleet.dev/fleet} tag. */
  public String fleetKey() {
    return getMetadata().getNamespace() + "/" + getMetadata().getName();
  }
}
