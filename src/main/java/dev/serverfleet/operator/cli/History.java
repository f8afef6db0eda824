package dev.serverfleet.operator.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.serverfleet.operator.api.v1alpha1.FleetRevisions;
import dev.serverfleet.operator.api.v1alpha1.FleetTemplate;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fleet's revision history as its ControllerRevisions hold it ({@link FleetRevisions}), and the
 * decisions read from it: which revision an undo goes to, and how an instance's revision is named.
 */
final class History {
  /** One revision: its number, hash, data and annotations. */
  record Entry(
      long number, String hash, FleetRevisions.Data data, Map<String, String> annotations) {
    FleetTemplate template() {
      return data != null && data.template() != null ? data.template() : new FleetTemplate();
    }

    Optional<String> annotation(String key) {
      return Optional.ofNullable(annotations.get(key)).filter(v -> !v.isEmpty());
    }
  }

  /** Where {@code rollout undo} goes: revision {@code number}, or nowhere if already there. */
  record UndoTarget(long number, boolean alreadyCurrent) {}

  /** Lenient: a newer operator may store fields this plugin does not know. */
  private static final ObjectMapper DATA =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final List<Entry> entries;

  History(List<Entry> entries) {
    this.entries = entries.stream().sorted(Comparator.comparingLong(Entry::number)).toList();
  }

  static History of(String fleetName, List<ControllerRevision> revisions) {
    return new History(revisions.stream().map(r -> entry(fleetName, r)).toList());
  }

  private static Entry entry(String fleetName, ControllerRevision r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    String hash = labels != null ? labels.get(FleetRevisions.REVISION) : null;
    if (hash == null) {
      hash =
          r.getMetadata()
              .getName()
              .substring(Math.min(fleetName.length() + 1, r.getMetadata().getName().length()));
    }
    FleetRevisions.Data data =
        r.getData() == null ? null : DATA.convertValue(r.getData(), FleetRevisions.Data.class);
    Map<String, String> annotations = r.getMetadata().getAnnotations();
    return new Entry(
        r.getRevision() == null ? 0 : r.getRevision(),
        hash,
        data,
        annotations == null ? Map.of() : annotations);
  }

  List<Entry> entries() {
    return entries;
  }

  Optional<Entry> byNumber(long number) {
    return entries.stream().filter(e -> e.number() == number).findFirst();
  }

  Optional<Entry> byHash(String hash) {
    return entries.stream().filter(e -> e.hash().equals(hash)).findFirst();
  }

  /** The number of the revision with this hash, else the hash itself (e.g. pruned from history). */
  String nameOf(String hash) {
    if (hash == null) {
      return "<none>";
    }
    return byHash(hash).map(e -> Long.toString(e.number())).orElse(hash);
  }

  /**
   * The revision {@code rollout undo} goes to, as kubectl's for Deployments: {@code toRevision}, or
   * with 0 the highest-numbered revision below the current one. The current revision is the one
   * whose hash is {@code currentHash}, else number {@code currentNumber}, else the newest.
   *
   * @throws CliError when the history is empty or has no such revision
   */
  UndoTarget undoTarget(String currentHash, Long currentNumber, long toRevision) {
    if (entries.isEmpty()) {
      throw CliError.of("no rollout history found");
    }
    Entry target;
    if (toRevision != 0) {
      target =
          byNumber(toRevision)
              .orElseThrow(
                  () ->
                      CliError.of(
                          "unable to find specified revision " + toRevision + " in history"));
    } else {
      long current = currentNumber(currentHash, currentNumber);
      target =
          entries.stream()
              .filter(e -> e.number() < current)
              .reduce((a, b) -> b)
              .orElseThrow(() -> CliError.of("no last revision to roll back to"));
    }
    return new UndoTarget(target.number(), Objects.equals(target.hash(), currentHash));
  }

  /** The current revision's number: by hash, else as status says, else the newest. */
  long currentNumber(String currentHash, Long statusNumber) {
    return Optional.ofNullable(currentHash)
        .flatMap(this::byHash)
        .map(Entry::number)
        .or(() -> Optional.ofNullable(statusNumber))
        .orElse(entries.isEmpty() ? 0 : entries.get(entries.size() - 1).number());
  }
}
