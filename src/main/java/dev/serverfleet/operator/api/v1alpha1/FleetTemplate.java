package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** The launch settings shared by every instance of a fleet. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.launchTemplate) ? !(has(self.instanceType) && has(self.instanceTypes)) : "
            + "has(self.instanceType) != has(self.instanceTypes)",
    message =
        "exactly one of instanceType and instanceTypes must be set: instanceType for one type,"
            + " instanceTypes for an ordered list (with a launchTemplate, at most one: omitted,"
            + " the launch template's instance type is used)")
@ValidationRule(
    value =
        "!has(self.creditSpecification) || (has(self.instanceType) ? "
            + "self.instanceType.matches('^t[0-9]') : "
            + "(has(self.instanceTypes) && self.instanceTypes.exists(t, t.matches('^t[0-9]'))))",
    message =
        "creditSpecification is only for burstable (T family) instance types such as t3.micro;"
            + " with instanceTypes, it applies to the T family types of the list")
@ValidationRule(
    value =
        "!(has(self.placement) && has(self.placement.tenancy) && self.placement.tenancy == 'host' "
            + "&& ((has(self.capacityType) && self.capacityType == 'spot')"
            + " || (has(self.capacity) && self.capacity.type == 'spot')))",
    message =
        "placement.tenancy host cannot be used with capacityType spot (or capacity.type spot):"
            + " EC2 runs no Spot Instances on Dedicated Hosts")
@ValidationRule(
    value = "!(has(self.capacityType) && has(self.capacity))",
    message =
        "set capacityType or capacity, not both: capacityType: spot is shorthand for capacity:"
            + " {type: spot}")
@ValidationRule(
    value =
        "has(self.launchTemplate) ? !(has(self.amiId) && has(self.amiSelector)) : "
            + "has(self.amiId) != has(self.amiSelector)",
    message =
        "exactly one of amiId or amiSelector must be set (with a launchTemplate, at most one:"
            + " omitted, the launch template's image is used)")
@ValidationRule(
    value = "has(self.subnetIds) != has(self.subnetSelector)",
    message = "exactly one of subnetIds or subnetSelector must be set")
@ValidationRule(
    value = "!(has(self.securityGroupIds) && has(self.securityGroupSelector))",
    message = "at most one of securityGroupIds or securityGroupSelector may be set")
public class FleetTemplate {
  public static final String AMI_PATTERN = "^ami-([0-9a-f]{8}|[0-9a-f]{17})$";

  /** EC2's limit on user data, in bytes, before base64 encoding. */
  public static final int MAX_USER_DATA = 16384;

  /**
   * EC2 allows 50 tags per instance: 6 are the operator's, one stays free for
   * serverfleet.dev/protected.
   */
  public static final int MAX_USER_TAGS = 43;

  /** EC2's limits on a tag, in characters. */
  public static final int MAX_TAG_KEY = 128;

  public static final int MAX_TAG_VALUE = 256;

  @Size(max = 21)
  @ValidationRule(
      value = "self.matches('" + AMI_PATTERN + "')",
      message =
          "amiId must be 'ami-' followed by 8 or 17 lowercase hex digits, e.g. ami-0abcdef1234567890")
  @JsonPropertyDescription(
      "ID of the Amazon Machine Image to launch, e.g. ami-0abcdef1234567890. Exactly one of amiId "
          + "and amiSelector, or neither with a launchTemplate (its image).")
  private String amiId;

  /** An EC2 instance type's name: family with generation, a dot, size. */
  public static final String INSTANCE_TYPE_PATTERN =
      "^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\\\.[a-z0-9]+$";

  /** How many instance types a fleet may list. */
  public static final int MAX_INSTANCE_TYPES = 20;

  @Size(max = 32)
  @ValidationRule(
      value = "self.matches('" + INSTANCE_TYPE_PATTERN + "')",
      message = "instanceType must be an EC2 instance type such as t3.micro or m7g.large")
  @JsonPropertyDescription(
      "EC2 instance type, e.g. t3.micro. Set this or instanceTypes, not both; instanceType: x is"
          + " the same as instanceTypes: [x].")
  private String instanceType;

  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(s, self.exists_one(t, t == s))",
      message = "subnetIds must not repeat a subnet")
  @JsonPropertyDescription(
      "Subnets to launch into (at least one). The fleet is spread evenly across them, "
          + "so give one subnet per Availability Zone for zone balance. Exactly one of subnetIds and "
          + "subnetSelector.")
  private List<@Size(max = 24) @Pattern("^subnet-([0-9a-f]{8}|[0-9a-f]{17})$") String> subnetIds;

  @Size(max = 5)
  @JsonPropertyDescription(
      "Security groups for the instances' network interface (at most 5). "
          + "Empty means the VPC's default security group. At most one of securityGroupIds and "
          + "securityGroupSelector.")
  private List<@Size(max = 20) @Pattern("^sg-([0-9a-f]{8}|[0-9a-f]{17})$") String> securityGroupIds;

  @Size(max = 255)
  @JsonPropertyDescription("Name of an EC2 key pair for SSH access. Optional.")
  private String keyName;

  @Size(max = 2048)
  @ValidationRule(
      value =
          "self.matches('^(arn:aws[a-z-]*:iam::[0-9]{12}:instance-profile/.+|[A-Za-z0-9+=,.@_-]{1,128})$')",
      message = "iamInstanceProfile must be an instance profile name or an instance-profile ARN")
  @JsonPropertyDescription("IAM instance profile, by name or ARN. Optional.")
  private String iamInstanceProfile;

  // maxLength counts characters; a character takes 1 to 4 bytes in UTF-8, and EC2 counts bytes.
  @Size(max = MAX_USER_DATA)
  @ValidationRule(
      value = "bytes(self).size() <= " + MAX_USER_DATA,
      message =
          "userData must be at most "
              + MAX_USER_DATA
              + " bytes (16 KiB) in UTF-8, EC2's limit before base64 "
              + "encoding; characters beyond ASCII take 2 to 4 bytes each")
  @JsonPropertyDescription(
      "User data as plain text (the operator base64-encodes it); at most 16384 bytes (16 KiB) "
          + "in UTF-8: EC2's limit on user data in raw form, before base64 encoding. Characters beyond ASCII take 2 to "
          + "4 bytes each.")
  private String userData;

  @JsonPropertyDescription(
      "on-demand (the default) or spot: shorthand for capacity: {type: ...}. Set this or"
          + " capacity, not both.")
  private CapacityType capacityType;

  // maxProperties also bounds the cost of the rules below: the API server refuses a CRD whose rules
  // it estimates too expensive. Map keys cannot have a maxLength, hence the rules on their size.
  @Size(max = MAX_USER_TAGS)
  @ValidationRule(value = "self.all(k, k.size() > 0)", message = "tag keys must not be empty")
  @ValidationRule(
      value = "self.all(k, k.size() <= " + MAX_TAG_KEY + ")",
      message = "tag keys must be at most " + MAX_TAG_KEY + " characters (EC2's limit)")
  @ValidationRule(
      value =
          "self.all(k, !k.startsWith('serverfleet.dev/') "
              + "&& !(k.size() >= 4 && k.substring(0, 4).lowerAscii() == 'aws:'))",
      message =
          "tag keys starting with serverfleet.dev/ are reserved for the operator, and aws: (in any case) for AWS")
  @JsonPropertyDescription(
      "Extra tags for the instances and their volumes: at most "
          + MAX_USER_TAGS
          + ", because "
          + "EC2 allows 50 tags per instance, the operator adds 6 (Name, serverfleet.dev/cluster, fleet, fleet-uid, "
          + "revision, launch) and one stays free for serverfleet.dev/protected. Keys have 1 to "
          + MAX_TAG_KEY
          + " characters, values at most "
          + MAX_TAG_VALUE
          + ". Keys with the serverfleet.dev/ or aws: prefix (aws: in "
          + "any case) are reserved; a Name tag is replaced by the operator's <fleet name>-<revision>.")
  private Map<String, @Size(max = MAX_TAG_VALUE) String> tags;

  @JsonPropertyDescription(
      "Instance metadata service options. IMDSv2 (httpTokens: required) unless set otherwise.")
  private MetadataOptions metadataOptions;

  // Instance-type fallback (offerings). Kept together at the end of the fields.
  @Size(min = 1, max = MAX_INSTANCE_TYPES)
  @ValidationRule(
      value = "self.all(t, t.matches('" + INSTANCE_TYPE_PATTERN + "'))",
      message = "instanceTypes must list EC2 instance types such as t3.micro or m7g.large")
  @ValidationRule(
      value = "self.all(t, self.exists_one(u, u == t))",
      message = "instanceTypes must not repeat a type")
  @JsonPropertyDescription(
      "EC2 instance types in order of preference (1 to 20, no repeats), e.g. [m7i.large,"
          + " m6i.large]. Each launch uses the first type whose offering (capacity type, instance"
          + " type, Availability Zone) is available: when EC2 answers a launch with no capacity"
          + " (InsufficientInstanceCapacity and the like) or the zone does not offer the type, the"
          + " launch moves to the next type in the same subnet before it leaves the zone. An"
          + " instance of any listed type is up to date; reordering or changing the list is a new"
          + " revision. Set this or instanceType, not both.")
  private List<@Size(max = 32) String> instanceTypes;

  // Volumes and instance options (pass-through launch settings): fleet/InstanceOptions once
  // defaults are applied (controller/InstanceOptionDefaults).

  @Size(max = BlockDeviceMapping.MAX_MAPPINGS)
  @ValidationRule(
      value = "self.all(m, self.exists_one(n, n.deviceName == m.deviceName))",
      message = "blockDeviceMappings must not repeat a deviceName")
  @JsonPropertyDescription(
      "EBS volumes created at launch (at most "
          + BlockDeviceMapping.MAX_MAPPINGS
          + "): name the AMI's root device (e.g. /dev/xvda) to size, type or encrypt the root "
          + "volume, other devices for extra volumes. Volumes are encrypted and deleted with their "
          + "instance unless said otherwise, and carry the fleet's tags.")
  private List<BlockDeviceMapping> blockDeviceMappings;

  @JsonPropertyDescription("Placement group and tenancy of the instances.")
  private Placement placement;

  @JsonPropertyDescription("Core count and threads per core; omitted: the type's defaults.")
  private CpuOptions cpuOptions;

  @JsonPropertyDescription(
      "CPU credits for T family types; omitted: the account's default for the family.")
  private CreditSpecification creditSpecification;

  @JsonPropertyDescription(
      "Request EBS-optimized instances (false when omitted; types that are EBS-optimized by "
          + "default stay so either way).")
  private Boolean ebsOptimized;

  @JsonPropertyDescription("CloudWatch monitoring: basic unless detailed is true.")
  private Monitoring monitoring;

  @JsonPropertyDescription("Launch instances able to hibernate.")
  private Hibernation hibernation;

  @JsonPropertyDescription(
      "Capacity reservations the instances may use; omitted: EC2's default (open).")
  private CapacityReservation capacityReservation;

  @ValidationRule(
      value = "self == 'terminate'",
      message =
          "instanceInitiatedShutdownBehavior may only be terminate: the fleet replaces stopped "
              + "instances, so stop would only leave instances (and their volumes) to clean up")
  @JsonPropertyDescription(
      "terminate: a shutdown from inside the instance terminates it at once, and the fleet "
          + "launches a replacement. Omitted: EC2's default (stop); the fleet then terminates and "
          + "replaces the stopped instance on its next pass. stop is refused.")
  private ShutdownBehavior instanceInitiatedShutdownBehavior;

  @JsonPropertyDescription(
      "Give the primary network interface a public IPv4 address (true) or not (false); "
          + "omitted: the subnet's setting.")
  private Boolean associatePublicIpAddress;

  @Min(0)
  @Max(64)
  @JsonPropertyDescription(
      "IPv6 addresses for the primary network interface (the subnet needs an IPv6 range; the "
          + "type caps the count); omitted: the subnet's setting.")
  private Integer ipv6AddressCount;

  // Selectors: alternatives to amiId, subnetIds and securityGroupIds, resolved by the operator.
  @JsonPropertyDescription(
      "The AMI by SSM parameter, or the newest image matching name, owners and tags; the resolved "
          + "ID is in status.resolvedAmiId. Exactly one of amiId and amiSelector.")
  private AmiSelector amiSelector;

  @JsonPropertyDescription(
      "The subnets to launch into, by tags (every subnet that carries them all, e.g. one per "
          + "Availability Zone); the resolved subnets and zones are in status.subnets. A subnet that "
          + "leaves the selection is drained like one removed from subnetIds.")
  private TagSelector subnetSelector;

  @JsonPropertyDescription(
      "The security groups, by tags (at most 5 may match); the resolved IDs are in "
          + "status.securityGroupIds.")
  private TagSelector securityGroupSelector;

  public String getAmiId() {
    return amiId;
  }

  public void setAmiId(String amiId) {
    this.amiId = amiId;
  }

  public String getInstanceType() {
    return instanceType;
  }

  public void setInstanceType(String instanceType) {
    this.instanceType = instanceType;
  }

  public List<String> getSubnetIds() {
    return subnetIds;
  }

  public void setSubnetIds(List<String> subnetIds) {
    this.subnetIds = subnetIds;
  }

  public List<String> getSecurityGroupIds() {
    return securityGroupIds;
  }

  public void setSecurityGroupIds(List<String> securityGroupIds) {
    this.securityGroupIds = securityGroupIds;
  }

  public String getKeyName() {
    return keyName;
  }

  public void setKeyName(String keyName) {
    this.keyName = keyName;
  }

  public String getIamInstanceProfile() {
    return iamInstanceProfile;
  }

  public void setIamInstanceProfile(String iamInstanceProfile) {
    this.iamInstanceProfile = iamInstanceProfile;
  }

  public String getUserData() {
    return userData;
  }

  public void setUserData(String userData) {
    this.userData = userData;
  }

  public CapacityType getCapacityType() {
    return capacityType;
  }

  public void setCapacityType(CapacityType capacityType) {
    this.capacityType = capacityType;
  }

  public Map<String, String> getTags() {
    return tags;
  }

  public void setTags(Map<String, String> tags) {
    this.tags = tags;
  }

  public MetadataOptions getMetadataOptions() {
    return metadataOptions;
  }

  public void setMetadataOptions(MetadataOptions metadataOptions) {
    this.metadataOptions = metadataOptions;
  }

  public List<String> getInstanceTypes() {
    return instanceTypes;
  }

  public void setInstanceTypes(List<String> instanceTypes) {
    this.instanceTypes = instanceTypes;
  }

  public List<BlockDeviceMapping> getBlockDeviceMappings() {
    return blockDeviceMappings;
  }

  public void setBlockDeviceMappings(List<BlockDeviceMapping> blockDeviceMappings) {
    this.blockDeviceMappings = blockDeviceMappings;
  }

  public Placement getPlacement() {
    return placement;
  }

  public void setPlacement(Placement placement) {
    this.placement = placement;
  }

  public CpuOptions getCpuOptions() {
    return cpuOptions;
  }

  public void setCpuOptions(CpuOptions cpuOptions) {
    this.cpuOptions = cpuOptions;
  }

  public CreditSpecification getCreditSpecification() {
    return creditSpecification;
  }

  public void setCreditSpecification(CreditSpecification creditSpecification) {
    this.creditSpecification = creditSpecification;
  }

  public Boolean getEbsOptimized() {
    return ebsOptimized;
  }

  public void setEbsOptimized(Boolean ebsOptimized) {
    this.ebsOptimized = ebsOptimized;
  }

  public Monitoring getMonitoring() {
    return monitoring;
  }

  public void setMonitoring(Monitoring monitoring) {
    this.monitoring = monitoring;
  }

  public Hibernation getHibernation() {
    return hibernation;
  }

  public void setHibernation(Hibernation hibernation) {
    this.hibernation = hibernation;
  }

  public CapacityReservation getCapacityReservation() {
    return capacityReservation;
  }

  public void setCapacityReservation(CapacityReservation capacityReservation) {
    this.capacityReservation = capacityReservation;
  }

  public ShutdownBehavior getInstanceInitiatedShutdownBehavior() {
    return instanceInitiatedShutdownBehavior;
  }

  public void setInstanceInitiatedShutdownBehavior(
      ShutdownBehavior instanceInitiatedShutdownBehavior) {
    this.instanceInitiatedShutdownBehavior = instanceInitiatedShutdownBehavior;
  }

  public Boolean getAssociatePublicIpAddress() {
    return associatePublicIpAddress;
  }

  public void setAssociatePublicIpAddress(Boolean associatePublicIpAddress) {
    this.associatePublicIpAddress = associatePublicIpAddress;
  }

  public Integer getIpv6AddressCount() {
    return ipv6AddressCount;
  }

  public void setIpv6AddressCount(Integer ipv6AddressCount) {
    this.ipv6AddressCount = ipv6AddressCount;
  }

  public AmiSelector getAmiSelector() {
    return amiSelector;
  }

  public void setAmiSelector(AmiSelector amiSelector) {
    this.amiSelector = amiSelector;
  }

  public TagSelector getSubnetSelector() {
    return subnetSelector;
  }

  public void setSubnetSelector(TagSelector subnetSelector) {
    this.subnetSelector = subnetSelector;
  }

  public TagSelector getSecurityGroupSelector() {
    return securityGroupSelector;
  }

  public void setSecurityGroupSelector(TagSelector securityGroupSelector) {
    this.securityGroupSelector = securityGroupSelector;
  }

  // Launch templates (issue 9 item 2): the other fields override the launch template's values.
  @JsonPropertyDescription(
      "An EC2 launch template to launch from (by id or name, at a version). Every other field of"
          + " this template that is set overrides the launch template's value, as with Auto"
          + " Scaling groups; subnets, the operator's tags and the IMDS settings (IMDSv2 unless"
          + " metadataOptions says otherwise) always come from the fleet. With a launch template,"
          + " amiId and the instance type may be omitted to use the launch template's.")
  private LaunchTemplateRef launchTemplate;

  public LaunchTemplateRef getLaunchTemplate() {
    return launchTemplate;
  }

  public void setLaunchTemplate(LaunchTemplateRef launchTemplate) {
    this.launchTemplate = launchTemplate;
  }

  // Capacity mix (issue 10 item 2): kept at the end, the longhand of capacityType.
  @JsonPropertyDescription(
      "How instances are bought: type on-demand or spot, and for spot an on-demand base and"
          + " percentage (as an Auto Scaling group's mixed instances policy) and whether a zone out"
          + " of spot falls back to on-demand. Set this or capacityType, not both; omitted:"
          + " on-demand.")
  private Capacity capacity;

  public Capacity getCapacity() {
    return capacity;
  }

  public void setCapacity(Capacity capacity) {
    this.capacity = capacity;
  }
}
