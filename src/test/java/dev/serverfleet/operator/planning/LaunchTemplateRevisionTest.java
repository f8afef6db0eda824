package dev.serverfleet.operator.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.serverfleet.operator.fleet.InstanceOptions;
import dev.serverfleet.operator.fleet.LaunchTemplateVersion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The revision of a fleet that launches from a launch template: its id and resolved number. */
class LaunchTemplateRevisionTest {
  static LaunchTemplateVersion version(String id, String name, long number, String type) {
    return new LaunchTemplateVersion(id, name, number, "ami-0abcdef1234567890", type, null, null);
  }

  static LaunchSettings settings(List<String> types, LaunchTemplateVersion template) {
    return new LaunchSettings(
        null,
        types,
        List.of(),
        null,
        null,
        null,
        false,
        true,
        LaunchSettings.DEFAULT_HOP_LIMIT,
        Map.of(),
        InstanceOptions.NONE,
        template);
  }

  static final LaunchTemplateVersion V1 = version("lt-0123456789abcdef0", "web", 1, "t3.micro");

  @Test
  void aNewResolvedVersionIsANewRevision() {
    assertThat(Revision.of(settings(List.of(), V1)))
        .isNotEqualTo(
            Revision.of(
                settings(List.of(), version("lt-0123456789abcdef0", "web", 2, "t3.micro"))));
  }

  @Test
  void anotherTemplateAtTheSameNumberIsANewRevision() {
    assertThat(Revision.of(settings(List.of(), V1)))
        .isNotEqualTo(
            Revision.of(
                settings(List.of(), version("lt-0fedcba9876543210", "web", 1, "t3.micro"))));
  }

  @Test
  void theNameTheTemplateIsReachedByChangesNothing() {
    // by name or by id, $Latest or the number: the same id and number, the same revision
    assertThat(Revision.of(settings(List.of(), V1)))
        .isEqualTo(
            Revision.of(settings(List.of(), version("lt-0123456789abcdef0", null, 1, "t3.micro"))));
  }

  @Test
  void withoutATemplateTheRevisionIsUnchanged() {
    LaunchSettings plain =
        new LaunchSettings(
            "ami-0123456789abcdef0",
            List.of("t3.micro"),
            List.of("sg-1", "sg-2"),
            "ops-key",
            "web-profile",
            "#!/bin/sh\necho hi\n",
            false,
            true,
            LaunchSettings.DEFAULT_HOP_LIMIT,
            Map.of("team", "web", "env", "prod"));
    assertThat(plain.launchTemplate()).isNull();
    assertThat(Revision.of(plain)).as("RevisionTest's pinned hash").isEqualTo("5b193531bb");
  }

  @Test
  void typesComeFromTheTemplateOnlyWhenTheFleetSetsNone() {
    assertThat(settings(List.of(), V1).launchableTypes()).containsExactly("t3.micro");
    assertThat(settings(List.of(), V1).sendsInstanceType()).isFalse();
    assertThat(settings(List.of("m5.large"), V1).launchableTypes()).containsExactly("m5.large");
    assertThat(settings(List.of("m5.large"), V1).sendsInstanceType()).isTrue();
  }

  @Test
  void aTypeIsNeededFromTheFleetOrTheTemplate() {
    assertThatThrownBy(() -> settings(List.of(), version("lt-0123456789abcdef0", "web", 1, null)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> settings(List.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
