package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One EBS volume attached at launch: the root device (to resize or encrypt it) or an extra one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlockDeviceMapping {
  /** Well above the volumes a launch template usually holds; bounds the CEL cost of the list. */
  public static final int MAX_MAPPINGS = 16;

  @Required
  @Size(max = 32)
  @Pattern("^(/dev/)?[a-z][a-z0-9]{1,15}$")
  @JsonPropertyDescription(
      "Device name, e.g. /dev/xvda (the root device of most Amazon Linux AMIs: naming it changes "
          + "the root volume) or /dev/sdf for an extra volume. Unique within the fleet.")
  private String deviceName;

  @Required
  @JsonPropertyDescription("The EBS volume created for this device at launch.")
  private EbsVolume ebs;

  public String getDeviceName() {
    return deviceName;
  }

  public void setDeviceName(String deviceName) {
    this.deviceName = deviceName;
  }

  public EbsVolume getEbs() {
    return ebs;
  }

  public void setEbs(EbsVolume ebs) {
    this.ebs = ebs;
  }
}
