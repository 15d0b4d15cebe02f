package io.churnducks.jobs.cli;

import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.nightly.NightlyJob;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;

/** The short human summary printed after a run; every number in it comes from the run. */
final class Summary {

  private Summary() {}

  static void print(PrintStream out, NightlyJob.Result r, int top, SparkSession spark) {
    out.println();
    out.printf(Locale.ROOT, "== churnducks nightly run %s ==%n", r.runDate());
    out.println("Sources (rows read / skipped by filter / quarantined):");
    for (NightlyJob.SourceStats s : r.sources()) {
      out.printf(Locale.ROOT, "  %-16s %,10d read %,8d skipped %,8d quarantined%s%n", s.source(), s.read(), s.skipped(),
          s.rejected(), s.rejectedByRule().isEmpty() ? "" : "  " + s.rejectedByRule());
    }
    if (!r.disabledIndicators().isEmpty()) {
      out.println("Disabled indicators (source not configured): " + r.disabledIndicators());
    }
    out.printf(Locale.ROOT, "Churn model %s: %s%n", r.modelVersion(), r.evaluation());
    out.printf(Locale.ROOT, "Segments of %,d active accounts:%n", r.scored());
    for (NightlyJob.SegmentSize s : r.segments()) {
      out.printf(Locale.ROOT, "  %-22s %,7d accounts  (%s)%n", s.name(), s.accounts(), s.evidence());
    }
    Warehouse warehouse = new Warehouse(spark, r.warehouse());
    List<Row> head = warehouse.read("churn_risk_list", r.runDate()).orderBy("rank").limit(top)
        .select(col("rank"), col("account_id"), col("csm_owner"), col("churn_probability"), col("risk_tier"),
            col("mrr_at_risk"), col("top_reasons"), col("play"))
        .collectAsList();
    out.printf(Locale.ROOT, "Churn-risk list: %,d accounts; top %d by MRR at risk:%n", r.riskListSize(), head.size());
    out.printf(Locale.ROOT, "  %4s  %-12s %-16s %6s %-6s %10s  %s%n", "rank", "account", "owner", "p", "tier",
        "MRR@risk", "reasons");
    for (Row row : head) {
      out.printf(Locale.ROOT, "  %4d  %-12s %-16s %6.3f %-6s %10.2f  %s%n", row.getLong(0), row.getString(1),
          row.isNullAt(2) ? "-" : row.getString(2), row.getDouble(3), row.getString(4), row.getDouble(5),
          row.getString(6));
    }
    out.printf("Tables (Delta Lake, partition run_date=%s) under %s: %s%n", r.runDate(), r.warehouse(),
        String.join(", ", r.tables()));
    out.printf("Risk list CSV: %s%n", r.riskListCsv());
    if (r.report() != null) {
      out.printf("Morning report: %s%n", r.report());
    }
  }
}
