package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Optional;

/**
 * The fleets as the controller's informer caches them, for work that runs outside a reconcile on
 * the sweep thread (status checks to ask for, orphans to collect). Empty until the controller has
 * prepared its event sources.
 */
public final class FleetDirectory implements OrphanCollector.Fleets {
  private volatile EventSourceContext<ServerFleet> context;

  void use(EventSourceContext<ServerFleet> context) {
    this.context = context;
  }

  @Override
  public Optional<ServerFleet> cached(ResourceID id) {
    EventSourceContext<ServerFleet> c = context;
    return c == null ? Optional.empty() : c.getPrimaryCache().get(id);
  }

  @Override
  public Optional<ServerFleet> get(ResourceID id) {
    EventSourceContext<ServerFleet> c = context;
    if (c == null) {
      throw new IllegalStateException("the controller has not started");
    }
    return Optional.ofNullable(
        c.getClient()
            .resources(ServerFleet.class)
            .inNamespace(id.getNamespace().orElseThrow())
            .withName(id.getName())
            .get());
  }

  /** Whether the fleet asks for EC2 status checks (healthCheck.type EC2StatusChecks). */
  public boolean wantsStatusChecks(ResourceID id) {
    return cached(id)
        .map(
            f ->
                f.getSpec().getHealthCheck() != null
                    && f.getSpec().getHealthCheck().getType()
                        == dev.serverfleet.operator.api.v1alpha1.HealthCheckType.EC2StatusChecks)
        .orElse(false);
  }

  boolean ready() {
    return context != null;
  }
}
