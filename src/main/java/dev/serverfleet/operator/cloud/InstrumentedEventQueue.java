package dev.serverfleet.operator.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Counts and times every SQS call of the interruption queue by operation and outcome ({@code
 * success} or the error class), as {@code serverfleet_sqs_calls_seconds_count{operation,outcome}}.
 * A ReceiveMessage takes up to the long poll's 20 s when the queue is quiet.
 */
public final class InstrumentedEventQueue implements EventQueue {
  public static final String METRIC = "serverfleet.sqs.calls";

  private final EventQueue delegate;
  private final MeterRegistry registry;

  public InstrumentedEventQueue(EventQueue delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public List<Message> receive() {
    return timed("ReceiveMessage", delegate::receive);
  }

  @Override
  public int delete(Collection<String> receiptHandles) {
    return timed("DeleteMessageBatch", () -> delegate.delete(receiptHandles));
  }

  private <T> T timed(String operation, Supplier<T> call) {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "success";
    try {
      return call.get();
    } catch (CloudException e) {
      outcome = e.errorClass().name().toLowerCase(Locale.ROOT);
      throw e;
    } catch (RuntimeException e) {
      outcome = "error";
      throw e;
    } finally {
      sample.stop(
          Timer.builder(METRIC)
              .description("SQS calls of the interruption queue by operation and outcome")
              .tag("operation", operation)
              .tag("outcome", outcome)
              .register(registry));
    }
  }
}
