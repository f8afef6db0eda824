package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a fleet's revision history is stored: one apps/v1 {@code ControllerRevision} per template
 * revision, as StatefulSets and DaemonSets keep theirs, so that {@code kubectl sf rollout history}
 * and undo (and anyone with kubectl) can read it.
 *
 * <ul>
 *   <li>name {@code <fleet>-<hash>}, in the fleet's namespace, owned by the fleet (deleted with
 *       it);
 *   <li>labels {@value #FLEET_UID} (the fleet's uid: names may be longer than a label value) and
 *       {@value #REVISION} (the hash, as tagged on the instances);
 *   <li>{@code revision}: the number history shows, increasing; going back to an earlier template
 *       gives its object the next number, as Deployments renumber their ReplicaSets;
 *   <li>{@code data}: {@link Data}, the template with every default applied (subnets left out: they
 *       are placement, not part of the revision) and the restart annotation's value;
 *   <li>annotations: {@value #CHANGE_CAUSE} copied from the fleet when the revision was first seen,
 *       {@value #COMPLETED_AT} once a rollout of it completed, {@value #ROLLED_BACK} with the
 *       reason when an automatic rollback left it.
 * </ul>
 */
public final class FleetRevisions {
  public static final String FLEET_UID = ServerFleet.GROUP + "/fleet-uid";
  public static final String REVISION = ServerFleet.GROUP + "/revision";
  public static final String FLEET = ServerFleet.GROUP + "/fleet";
  public static final String COMPLETED_AT = ServerFleet.GROUP + "/completed-at";
  public static final String ROLLED_BACK = ServerFleet.GROUP + "/rolled-back";
  public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

  /** Revisions kept when spec.revisionHistoryLimit is omitted, as for a Deployment. */
  public static final int DEFAULT_HISTORY_LIMIT = 10;

  private FleetRevisions() {}

  public static String name(String fleetName, String hash) {
    return fleetName + "-" + hash;
  }

  /** A ControllerRevision's data. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Data(FleetTemplate template, String restartedAt) {}
}
