package dev.serverfleet.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import dev.serverfleet.operator.api.v1alpha1.InstanceStatus;
import dev.serverfleet.operator.api.v1alpha1.ServerFleetStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tables the plugin prints, cell for cell and column for column. */
class TablesTest {
  @Test
  void columnsAreTheWidestCellPlusThreeAndAtLeastTen() {
    assertThat(print(new Table("A", "LONG-HEADER", "LAST").row("x", "y", "a very long last cell")))
        .containsExactly(
            "A         LONG-HEADER   LAST", "x         y             a very long last cell");
  }

  @Test
  void historyMarksTheCurrentRevisionAndSaysNone() {
    History history =
        new History(
            List.of(
                revision(
                    1,
                    "a1",
                    "ami-0abcdef1234567890",
                    Map.of(FleetRevisions.COMPLETED_AT, "2025-12-01T10:00:00Z")),
                revision(
                    2,
                    "b2",
                    "ami-0fedcba9876543210",
                    Map.of(FleetRevisions.ROLLED_BACK, "unhealthy")),
                revision(
                    3,
                    "c3",
                    "ami-0abcdef1234567890",
                    Map.of(FleetRevisions.CHANGE_CAUSE, "back"))));
    ServerFleetStatus status = new ServerFleetStatus();
    status.setCurrentRevision("c3");

    assertThat(print(HistoryCommand.table(history, status)))
        .containsExactly(
            "REVISION      HASH      AMI                     INSTANCE-TYPE   COMPLETED              CHANGE-CAUSE",
            "1             a1        ami-0abcdef1234567890   t3.micro        2025-12-01T10:00:00Z   <none>",
            "2             b2        ami-0fedcba9876543210   t3.micro        <rolled back>          <none>",
            "3 (current)   c3        ami-0abcdef1234567890   t3.micro        <none>                 back");
  }

  @Test
  void instancesWithRevisionNumbersAndAges() {
    History history = new History(List.of(revision(4, "d4", "ami-0abcdef1234567890", Map.of())));
    Instant now = Instant.parse("2025-12-01T12:00:00Z");
    List<InstanceStatus> instances =
        List.of(
            new InstanceStatus(
                "i-0a",
                "running",
                "d4",
                "subnet-1",
                "eu-west-1a",
                "10.0.0.1",
                "2025-12-01T11:54:48Z",
                "OK",
                "2025-12-01T11:55:00Z",
                null),
            new InstanceStatus(
                "i-0b",
                "pending",
                "9f8e7d6c5b",
                "subnet-2",
                "eu-west-1b",
                null,
                "2025-11-28T09:00:00Z",
                null,
                null,
                true),
            new InstanceStatus("i-0c", "running", null, null, null, null, null, null, null, false));

    assertThat(print(InstancesCommand.table(instances, history, now)))
        .containsExactly(
            "ID        STATE     ZONE         REVISION     HEALTH    READY     PROTECTED   AGE",
            "i-0a      running   eu-west-1a   4            OK        true      false       5m12s",
            "i-0b      pending   eu-west-1b   9f8e7d6c5b   <none>    false     true        3d3h",
            "i-0c      running   <none>       <none>       <none>    false     false       <none>");
  }

  @Test
  void templateYamlWithoutQuotesOrMarker() {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId("ami-0abcdef1234567890");
    template.setInstanceType("t3.micro");
    template.setUserData("#!/bin/bash\necho hello\n");

    assertThat(HistoryCommand.yaml(template))
        .isEqualTo(
            "amiId: ami-0abcdef1234567890\ninstanceType: t3.micro\nuserData: |\n  #!/bin/bash\n  echo hello\n");
  }

  private static History.Entry revision(
      long number, String hash, String ami, Map<String, String> annotations) {
    FleetTemplate template = new FleetTemplate();
    template.setAmiId(ami);
    template.setInstanceType("t3.micro");
    return new History.Entry(number, hash, new FleetRevisions.Data(template, null), annotations);
  }

  private static List<String> print(Table table) {
    StringWriter out = new StringWriter();
    table.print(new PrintWriter(out));
    return out.toString().lines().toList();
  }
}
