package dev.serverfleet.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An EBS volume of a block device mapping. The rules refuse what EC2 would refuse at every launch
 * (its documented limits per volume type), so the mistake shows at {@code kubectl apply}. A missing
 * volumeType is gp3, as the operator sends it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.iops) || " + EbsVolume.TYPE + " in ['gp3', 'io1', 'io2']",
    message =
        "ebs.iops may only be set for gp3, io1 and io2 volumes: gp2, st1, sc1 and standard have no "
            + "provisioned IOPS")
@ValidationRule(
    value =
        EbsVolume.TYPE
            + " != 'gp3' || !has(self.iops) || (self.iops >= 3000 && self.iops <= 16000)",
    message = "ebs.iops must be 3000 to 16000 for gp3 (volumeType gp3 when omitted)")
@ValidationRule(
    value =
        EbsVolume.TYPE + " != 'io1' || (has(self.iops) && self.iops >= 100 && self.iops <= 64000)",
    message = "ebs.iops is required for io1 volumes: 100 to 64000")
@ValidationRule(
    value =
        EbsVolume.TYPE + " != 'io2' || (has(self.iops) && self.iops >= 100 && self.iops <= 256000)",
    message = "ebs.iops is required for io2 volumes: 100 to 256000")
@ValidationRule(
    value = "!has(self.throughput) || " + EbsVolume.TYPE + " == 'gp3'",
    message = "ebs.throughput may only be set for gp3 volumes")
@ValidationRule(
    value =
        "!has(self.volumeSize) || !("
            + EbsVolume.TYPE
            + " in ['gp2', 'gp3']) "
            + "|| self.volumeSize <= 16384",
    message = "ebs.volumeSize must be 1 to 16384 GiB for gp2 and gp3")
@ValidationRule(
    value =
        "!has(self.volumeSize) || "
            + EbsVolume.TYPE
            + " != 'io1' "
            + "|| (self.volumeSize >= 4 && self.volumeSize <= 16384)",
    message = "ebs.volumeSize must be 4 to 16384 GiB for io1")
@ValidationRule(
    value = "!has(self.volumeSize) || " + EbsVolume.TYPE + " != 'io2' || self.volumeSize >= 4",
    message = "ebs.volumeSize must be 4 to 65536 GiB for io2")
@ValidationRule(
    value =
        "!has(self.volumeSize) || !("
            + EbsVolume.TYPE
            + " in ['st1', 'sc1']) "
            + "|| (self.volumeSize >= 125 && self.volumeSize <= 16384)",
    message = "ebs.volumeSize must be 125 to 16384 GiB for st1 and sc1")
@ValidationRule(
    value =
        "!has(self.volumeSize) || " + EbsVolume.TYPE + " != 'standard' || self.volumeSize <= 1024",
    message = "ebs.volumeSize must be 1 to 1024 GiB for standard (magnetic) volumes")
@ValidationRule(
    value = "!has(self.kmsKeyId) || !has(self.encrypted) || self.encrypted",
    message = "ebs.kmsKeyId may only be set when ebs.encrypted is true (the default)")
public class EbsVolume {
  /** The volume type as the operator sends it: gp3 when omitted. */
  static final String TYPE = "(has(self.volumeType) ? self.volumeType : 'gp3')";

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription(
      "Size in GiB. Per type: gp2 and gp3 1-16384, io1 4-16384, io2 4-65536, st1 and sc1 "
          + "125-16384, standard 1-1024. Omitted: the snapshot's size (EC2 needs a size or a "
          + "snapshot, which for the root device is the AMI's).")
  private Integer volumeSize;

  @JsonPropertyDescription(
      "gp3 (the default: baseline 3000 IOPS and 125 MiB/s whatever the size, cheaper per GiB than "
          + "gp2), gp2, io1, io2, st1, sc1 or standard.")
  private VolumeType volumeType;

  @Min(100)
  @Max(256000)
  @JsonPropertyDescription(
      "Provisioned IOPS: gp3 3000-16000 (optional), io1 100-64000 and io2 100-256000 (required); "
          + "not allowed for gp2, st1, sc1 and standard. EC2 also caps IOPS per GiB.")
  private Integer iops;

  @Min(125)
  @Max(1000)
  @JsonPropertyDescription("Throughput in MiB/s, gp3 only: 125-1000 (default 125).")
  private Integer throughput;

  @JsonPropertyDescription(
      "Encrypt the volume; true when omitted. Without kmsKeyId EC2 uses the account's default "
          + "EBS key (aws/ebs unless changed), which needs no KMS permission on the operator's "
          + "role.")
  private Boolean encrypted;

  @Size(max = 2048)
  @JsonPropertyDescription(
      "KMS key for the encryption (key ID, key ARN, alias or alias ARN); only with encrypted true. "
          + "The operator's role then needs kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, "
          + "kms:ReEncrypt* and kms:DescribeKey on that key (see deploy/iam-policy.json notes).")
  private String kmsKeyId;

  @Size(max = 22)
  @Pattern("^snap-([0-9a-f]{8}|[0-9a-f]{17})$")
  @JsonPropertyDescription("Snapshot to create the volume from, e.g. snap-0123456789abcdef0.")
  private String snapshotId;

  @JsonPropertyDescription(
      "Delete the volume with the instance; true when omitted, so that replacing instances "
          + "(rollouts, scale-in, health) leaves no volumes behind.")
  private Boolean deleteOnTermination;

  public Integer getVolumeSize() {
    return volumeSize;
  }

  public void setVolumeSize(Integer volumeSize) {
    this.volumeSize = volumeSize;
  }

  public VolumeType getVolumeType() {
    return volumeType;
  }

  public void setVolumeType(VolumeType volumeType) {
    this.volumeType = volumeType;
  }

  public Integer getIops() {
    return iops;
  }

  public void setIops(Integer iops) {
    this.iops = iops;
  }

  public Integer getThroughput() {
    return throughput;
  }

  public void setThroughput(Integer throughput) {
    this.throughput = throughput;
  }

  public Boolean getEncrypted() {
    return encrypted;
  }

  public void setEncrypted(Boolean encrypted) {
    this.encrypted = encrypted;
  }

  public String getKmsKeyId() {
    return kmsKeyId;
  }

  public void setKmsKeyId(String kmsKeyId) {
    this.kmsKeyId = kmsKeyId;
  }

  public String getSnapshotId() {
    return snapshotId;
  }

  public void setSnapshotId(String snapshotId) {
    this.snapshotId = snapshotId;
  }

  public Boolean getDeleteOnTermination() {
    return deleteOnTermination;
  }

  public void setDeleteOnTermination(Boolean deleteOnTermination) {
    this.deleteOnTermination = deleteOnTermination;
  }
}
