package io.churnducks.jobs.nightly;

import io.churnducks.features.validation.ContractException;

import java.time.LocalDate;
import java.util.List;

/**
 * The rejected-share policy: a source rejecting more than {@code validation.max-rejected-share} of
 * its rows fails the night, once every source is checked, with one line naming them all.
 */
final class RejectedShare {

  private RejectedShare() {}

  /** Fails the run with one line naming every source that rejected too large a share of its rows. */
  static void failIfAny(LocalDate runDate, List<String> failures) {
    if (!failures.isEmpty()) {
      boolean usage = failures.stream().anyMatch(f -> f.startsWith("source " + Night.USAGE + " "));
      throw new ContractException("Cannot run " + runDate + ": " + String.join("; ", failures)
          + " (rejected rows are in " + (usage ? "usage_quarantine and " : "") + "dq_quarantine run_date=" + runDate
          + ")");
    }
  }
}
