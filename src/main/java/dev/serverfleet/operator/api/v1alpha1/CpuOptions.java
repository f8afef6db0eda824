package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Fewer cores or one thread per core (e.g. for per-core licences). EC2 checks the type's limits.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.coreCount) && has(self.threadsPerCore)",
    message = "cpuOptions needs both coreCount and threadsPerCore, as EC2 does")
public class CpuOptions {
  @Min(1)
  @Max(448)
  @JsonPropertyDescription("Number of CPU cores; valid counts depend on the instance type.")
  private Integer coreCount;

  @Min(1)
  @Max(2)
  @JsonPropertyDescription("Threads per core: 1 turns simultaneous multithreading off, 2 keeps it.")
  private Integer threadsPerCore;

  public Integer getCoreCount() {
    return coreCount;
  }

  public void setCoreCount(Integer coreCount) {
    this.coreCount = coreCount;
  }

  public Integer getThreadsPerCore() {
    return threadsPerCore;
  }

  public void setThreadsPerCore(Integer threadsPerCore) {
    this.threadsPerCore = threadsPerCore;
  }
}
