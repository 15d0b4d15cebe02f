package io.churnducks.jobs.nightly;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.lifecycle.AccountEconomics;
import io.churnducks.features.lifecycle.LifecycleSettings;
import io.churnducks.features.lifecycle.RetentionCurves;
import io.churnducks.features.lifecycle.UnitEconomics;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.models.segments.DuckSegmentModel;
import io.churnducks.models.segments.SegmentModelStore;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import static io.churnducks.jobs.nightly.Night.CONFORMED;
import static io.churnducks.jobs.nightly.Night.secondsSince;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * Lifecycle analytics: {@code retention_curves}, {@code unit_economics} and {@code account_economics}
 * from the clean accounts and subscriptions, tonight's features, segments and scores. A churned
 * account has no segment tonight; it counts in the segment it had when last seen active (see
 * {@link #lastKnownSegments}).
 */
final class LifecycleStage implements NightStage {

  @Override
  public void run(Night night) {
    LocalDate runDate = night.runDate;
    Warehouse warehouse = night.warehouse;
    for (String table : List.of("customer_segments", "churn_scores")) {
      if (!warehouse.runDates(table).contains(runDate)) {
        throw new ContractException("Cannot run the lifecycle stage for " + runDate + ": " + table + " has no rows "
            + "for it (run `churn " + (table.equals("churn_scores") ? "score" : "segments") + " --run-date " + runDate
            + "` first)");
      }
    }
    int grace = night.config.model().graceDays();
    LifecycleSettings settings = night.config.lifecycle();
    Dataset<Row> accounts = night.state.read(CONFORMED + InputContract.ACCOUNTS.name(), "validate");
    Dataset<Row> subscriptions = night.state.read(CONFORMED + InputContract.SUBSCRIPTIONS.name(), "validate");
    Dataset<Row> features = night.features();
    Dataset<Row> tonight = warehouse.read("customer_segments", runDate).select("account_id", "segment_name");
    Dataset<Row> segments = night.keep(lastKnownSegments(night, tonight));

    long t = System.nanoTime();
    warehouse.write("retention_curves", RetentionCurves.apply(accounts, subscriptions, segments,
        night.keptIndustries(), runDate, grace), RetentionCurves.SCHEMA, runDate);
    Row curves = warehouse.read("retention_curves", runDate).agg(count(lit(1)),
        org.apache.spark.sql.functions.max(when(col("dimension").equalTo("all"), col("month_number")))).first();
    night.manifest.record("lifecycle", "retention_curves", "ok", null, curves.getLong(0), secondsSince(t),
        curves.isNullAt(1) ? "no account is old enough to observe" : "months 0.." + curves.getInt(1) + " observed");

    t = System.nanoTime();
    Dataset<Row> active = features.where(col("lapsed").equalTo(false)).select("account_id", "mrr");
    warehouse.write("unit_economics", UnitEconomics.apply(accounts, subscriptions, active, segments, runDate, grace,
        settings), UnitEconomics.SCHEMA, runDate);
    Row all = warehouse.read("unit_economics", runDate).where(col("dimension").equalTo("all"))
        .select("monthly_churn_rate", "ltv_to_cac").first();
    long groups = warehouse.read("unit_economics", runDate).count();
    night.manifest.record("lifecycle", "unit_economics", "ok", null, groups, secondsSince(t), String.format(
        Locale.ROOT, "monthly churn %s, LTV/CAC %s over all accounts", all.isNullAt(0) ? "unknown" : String.format(
            Locale.ROOT, "%.2f%%", 100 * all.getDouble(0)), all.isNullAt(1) ? "unknown" : String.format(Locale.ROOT,
            "%.2f", all.getDouble(1))));

    t = System.nanoTime();
    warehouse.write("account_economics", AccountEconomics.apply(features, accounts, tonight,
        warehouse.read("churn_scores", runDate), settings), AccountEconomics.SCHEMA, runDate);
    Row flags = warehouse.read("account_economics", runDate).agg(count(lit(1)),
        count(when(col("cost_exceeds_revenue"), 1)), count(when(col("offer_more_seats"), 1))).first();
    night.manifest.record("lifecycle", "account_economics", "ok", null, flags.getLong(0), secondsSince(t),
        flags.getLong(1) + " cost more to serve than they pay; " + flags.getLong(2) + " to offer more seats");
  }

  /**
   * The segment each account counts in for the lifecycle tables: tonight's for the accounts scored
   * tonight; for an account gone since, the segment tonight's model gives its indicators on the
   * latest training as-of date it was active (the same model and names, so a segment's curve holds
   * its churned accounts too, not only the survivors). Accounts with no labelled example (gone before
   * the training window, or come and gone since its latest as-of date) have none and are left out of
   * the segment figures.
   */
  private static Dataset<Row> lastKnownSegments(Night night, Dataset<Row> tonight) {
    DuckSegmentModel model = new SegmentModelStore(night.spark, night.warehouse.root() + "/"
        + NightlyJob.SEGMENT_MODELS).load(night.runDate);
    Dataset<Row> examples = night.examples();
    Dataset<Row> latest = examples.withColumn("_latest", org.apache.spark.sql.functions.max("as_of_date")
            .over(org.apache.spark.sql.expressions.Window.partitionBy("account_id")))
        .where(col("as_of_date").equalTo(col("_latest"))).drop("_latest")
        .join(tonight.select("account_id"), new String[] {"account_id"}, "left_anti");
    return tonight.unionByName(model.transform(latest).select("account_id", "segment_name"));
  }
}
