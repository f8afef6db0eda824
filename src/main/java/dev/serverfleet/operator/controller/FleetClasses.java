package dev.serverfleet.operator.controller;

import dev.serverfleet.operator.api.v1alpha1.ServerFleet;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetClass;
import java.util.Collection;
import java.util.List;

/**
 * What {@link ClassPolicy} decides on, read from the informers' caches: every ServerFleetClass, and
 * the fleets of a namespace (for the quota). Reads never call the API server.
 */
public interface FleetClasses {
  /** No classes at all: every fleet behaves as before classes existed. */
  FleetClasses NONE =
      new FleetClasses() {
        @Override
        public Collection<ServerFleetClass> classes() {
          return List.of();
        }

        @Override
        public Collection<ServerFleet> fleetsIn(String namespace) {
          return List.of();
        }
      };

  Collection<ServerFleetClass> classes();

  Collection<ServerFleet> fleetsIn(String namespace);
}
