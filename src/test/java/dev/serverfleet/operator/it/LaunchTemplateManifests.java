package dev.serverfleet.operator.it;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * {@link InvalidManifestIT}'s cases for template.launchTemplate: a reference EC2 could never
 * resolve, refused at apply with a message naming the field; and fleets that take their image and
 * instance type from the template, accepted.
 */
final class LaunchTemplateManifests {
  private LaunchTemplateManifests() {}

  static final String AMI_LINE = "    amiId: ami-0abcdef1234567890\n";
  static final String TYPE_LINE = "    instanceType: t3.micro\n";

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad(
            "lt-id-and-name",
            "launchTemplate: {id: lt-0123456789abcdef0, name: web}",
            "spec.template.launchTemplate: Invalid value: \"object\": launchTemplate must set"
                + " exactly one of id (lt-...) and name"),
        bad(
            "lt-neither-id-nor-name",
            "launchTemplate: {version: $Latest}",
            "launchTemplate must set exactly one of id (lt-...) and name"),
        bad(
            "lt-bad-version",
            "launchTemplate: {name: web, version: latest}",
            "spec.template.launchTemplate.version: Invalid value: \"string\": launchTemplate.version"
                + " must be a version number (1, 2, ...), $Latest or $Default"),
        bad(
            "lt-version-zero",
            "launchTemplate: {name: web, version: \"0\"}",
            "launchTemplate.version must be a version number (1, 2, ...), $Latest or $Default"),
        bad(
            "lt-bad-id",
            "launchTemplate: {id: lt-xyz}",
            "spec.template.launchTemplate.id: Invalid value: \"string\": launchTemplate.id must be"
                + " 'lt-' followed by 17 (or 8) lowercase hex digits"),
        bad(
            "lt-bad-name",
            "launchTemplate: {name: \"web template\"}",
            "launchTemplate.name must be 3 to 128 letters, digits and ( ) . - / _"),
        Arguments.of(
            "no-ami-no-template",
            "no-ami-no-template",
            InvalidManifestIT.manifest("no-ami-no-template", "").replace(AMI_LINE, ""),
            "exactly one of amiId or amiSelector must be set"),
        Arguments.of(
            "lt-both-type-fields",
            "lt-both-type-fields",
            InvalidManifestIT.manifest(
                "lt-both-type-fields",
                "launchTemplate: {name: web}\ninstanceTypes: [t3.micro, t3.small]"),
            "exactly one of instanceType and instanceTypes must be set"));
  }

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of(
            "lt-only",
            withoutImageAndType(
                InvalidManifestIT.manifest("lt-only", "launchTemplate: {name: web}"))),
        Arguments.of(
            "lt-with-type-list",
            InvalidManifestIT.manifest(
                    "lt-with-type-list",
                    "launchTemplate: {id: lt-0123456789abcdef0, version: $Default}\n"
                        + "instanceTypes: [m5.large, m6i.large]")
                .replace(TYPE_LINE, "")
                .replace(AMI_LINE, "")),
        Arguments.of(
            "lt-overridden",
            InvalidManifestIT.manifest(
                "lt-overridden", "launchTemplate: {id: lt-0123456789abcdef0, version: \"12\"}")));
  }

  private static String withoutImageAndType(String manifest) {
    return manifest.replace(AMI_LINE, "").replace(TYPE_LINE, "");
  }

  private static Arguments bad(String name, String override, String expected) {
    return Arguments.of(name, name, InvalidManifestIT.manifest(name, override), expected);
  }
}
