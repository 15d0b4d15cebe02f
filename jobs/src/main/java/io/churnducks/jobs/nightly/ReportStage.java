package io.churnducks.jobs.nightly;

import io.churnducks.jobs.report.MorningReport;

import static io.churnducks.jobs.nightly.Night.secondsSince;

/** Report: renders the run date's tables into its morning report. */
final class ReportStage implements NightStage {

  @Override
  public void run(Night night) {
    long t = System.nanoTime();
    MorningReport.Result r = new MorningReport(night.spark, night.warehouse, night.config.report())
        .write(night.runDate);
    night.out.report = r.path();
    night.manifest.record("report", "morning_report", r.missing().isEmpty() ? "ok" : "warning", null,
        (long) r.charts().size(), secondsSince(t), r.charts().size() + " charts in " + r.path()
            + (r.missing().isEmpty() ? "" : "; not computed for this run: " + String.join(", ", r.missing())));
  }
}
