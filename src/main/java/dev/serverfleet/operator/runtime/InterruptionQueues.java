package dev.serverfleet.operator.runtime;

import dev.serverfleet.operator.cloud.AwsEventQueue;
import dev.serverfleet.operator.cloud.InstrumentedEventQueue;
import dev.serverfleet.operator.controller.FleetDirectory;
import dev.serverfleet.operator.controller.FleetEvents;
import dev.serverfleet.operator.controller.InstanceSweep;
import dev.serverfleet.operator.controller.InterruptionConsumer;
import dev.serverfleet.operator.controller.InterruptionNotices;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * The interruption queue's consumer when {@code --interruption-queue} names one: SQS through the
 * AWS SDK, timed, with the SDK's retries as configured. Built at start; it calls nothing until
 * JOSDK starts it, on the leader.
 */
final class InterruptionQueues {
  private InterruptionQueues() {}

  static Optional<InterruptionConsumer> consumer(
      OperatorConfig config,
      InstanceSweep sweep,
      FleetDirectory fleets,
      InterruptionNotices notices,
      FleetEvents events,
      MeterRegistry registry,
      Clock clock) {
    return config
        .interruptionQueue()
        .map(
            url ->
                new InterruptionConsumer(
                    new InstrumentedEventQueue(
                        AwsEventQueue.create(url, config.region(), config.sdkRetries()), registry),
                    sweep,
                    fleets,
                    notices,
                    events,
                    registry,
                    clock,
                    InterruptionConsumer.SETTLE_WAIT));
  }
}
