package io.churnducks.jobs.nightly;

import io.churnducks.jobs.rollup.UsageRollupStage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts a failed run's writes back: every table it wrote to its version before the run (the
 * quarantines stay: they say why it failed) and the champion model to the one it started with.
 */
final class Rollback {

  private final Night night;
  /** The champion model when the run started (null outside {@link NightlyJob#run}): a failed run puts it back. */
  private Optional<String> championBefore;

  Rollback(Night night) {
    this.night = night;
  }

  /** Notes the champion model as the run starts. */
  void start() {
    championBefore = night.registry().championVersion();
  }

  /**
   * Puts every table this run wrote back to its version before the run (the quarantines stay:
   * they say why it failed); returns a note for the manifest naming them.
   */
  String rolledBack() {
    List<String> undone = new ArrayList<>(night.warehouse.rollBack(List.of("dq_quarantine",
        UsageRollupStage.QUARANTINE)));
    if (championBefore != null && night.registry().restoreChampion(championBefore)) {
      undone.add("the champion model (back to " + championBefore.orElse("none") + ")");
    }
    if (!undone.isEmpty()) {
      Night.LOG.warn("Run failed: the tables it wrote are back to their earlier versions: {}", undone);
    }
    return undone.isEmpty() ? "" : " (rolled back: " + String.join(", ", undone) + ")";
  }
}
