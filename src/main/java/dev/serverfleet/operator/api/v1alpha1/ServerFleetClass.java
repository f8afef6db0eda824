package dev.serverfleet.operator.api.v1alpha1;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Who may launch what: a cluster-scoped policy a {@link ServerFleet} names in {@code
 * spec.className}, as a PersistentVolumeClaim names a StorageClass. A platform team writes classes;
 * tenants may only read them. The class marked with the annotation {@value #IS_DEFAULT} {@code =
 * "true"} applies to fleets that name none.
 *
 * <p>Enforced twice: at admission by the chart's ValidatingAdmissionPolicy (the class is its
 * parameter), and by the operator on every reconcile, since a class may change after a fleet was
 * admitted: a fleet out of policy launches nothing new and goes Degraded with reason ClassPolicy.
 */
@Group(ServerFleet.GROUP)
@Version(ServerFleet.VERSION)
@Plural("serverfleetclasses")
public class ServerFleetClass extends CustomResource<ServerFleetClassSpec, Void> {
  private static final long serialVersionUID = 1L;

  /** The annotation that marks the default class, as for StorageClass. */
  public static final String IS_DEFAULT = ServerFleet.GROUP + "/is-default-class";
}
