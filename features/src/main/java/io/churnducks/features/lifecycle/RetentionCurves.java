package io.churnducks.features.lifecycle;

import io.churnducks.features.labels.ChurnLabeler;
import io.churnducks.features.labels.SubscriptionTimeline;
import io.churnducks.features.relevance.IndustryFocus;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.List;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * Cohort retention, the way customer success asks "is cohort B retaining better than A?": logo and
 * revenue retention by month since an account became a customer, for every account together and per
 * signup cohort, acquisition channel, duck segment and industry. The {@code retention_curves} table.
 *
 * <p><b>Month m</b> of an account is the day {@code m} calendar months after its first subscription
 * started (its signup, for an account that pays from the start). The account is <b>retained</b> at
 * month m when it is a customer on that day in the product's churn definition ({@link
 * ChurnLabeler#runs}): some subscription covers the day, or the day falls in a gap of at most the
 * grace period between two subscriptions (a late renewal). An account that churned and came back
 * counts as retained again from its return.
 *
 * <p><b>Survival-style:</b> an account is <em>observed</em> at month m only when that day's status
 * is final on the run date: the day is more than {@code graceDays} before the run date (a gap that
 * starts then is either bridged or confirmed as churn by the run date). An account too young for
 * month m is left out of month m's denominator; it is never counted as lost. Each month's figures
 * are over the accounts observed at that month, so later months rest on older cohorts.
 *
 * <p><b>Revenue:</b> {@code mrr_m} is the MRR of the subscriptions covering month m's day (in a
 * bridged gap, the MRR of the subscriptions that ended last before it; 0 once churned).
 * Gross revenue retention = Σ min(mrr_m, mrr_0) / Σ mrr_0 (expansion capped at the start, so at
 * most 1); net revenue retention = Σ mrr_m / Σ mrr_0 (expansion counted, so it can exceed 1); both
 * over the accounts observed at month m, null when their month-0 MRR is 0.
 *
 * <p><b>Groups:</b> cohort = signup month (yyyy-MM of {@code accounts.signup_date}); channel =
 * {@code acquisition_channel}, "unknown" when null; industry = the industry when {@code
 * industry_focus} keeps it, else "other"; segment = the segment of the {@code segments} input (an
 * account without one is in no segment curve; see the caller for which segment a churned account
 * has). Point in time: only subscriptions known on the morning of the run date ({@link
 * SubscriptionTimeline#knownAt}).
 */
public final class RetentionCurves {

  private RetentionCurves() {}

  /** The declared schema of {@code retention_curves} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("dimension", StringType, false, "What the accounts are grouped by: all, cohort, channel, segment or "
          + "industry."),
      field("group_value", StringType, false, "The group: all; the signup month yyyy-MM (cohort); the "
          + "acquisition_channel, 'unknown' when empty (channel); the duck segment_name (segment: tonight's for "
          + "current customers; for an account gone since, the segment tonight's model gives it on the latest "
          + "training as-of date it was active); the industry kept by industry_focus, else 'other' (industry)."),
      field("month_number", IntegerType, false, "Calendar months since the account's first subscription started "
          + "(0 = that day)."),
      field("accounts_observed", LongType, false, "Accounts old enough to be observed at this month: the day is more "
          + "than labels.grace-days before the run date. Younger accounts are left out, never counted as lost."),
      field("accounts_retained", LongType, false, "Of them, customers on that day (a subscription covers it, or it "
          + "falls in a gap no longer than the grace period)."),
      field("logo_retention", DoubleType, false, "accounts_retained / accounts_observed."),
      field("start_mrr", DoubleType, false, "Month-0 MRR of the observed accounts, currency units per month."),
      field("gross_revenue_retention", DoubleType, true, "Σ min(MRR at the month, month-0 MRR) / start_mrr over the "
          + "observed accounts (expansion not counted; null when start_mrr is 0)."),
      field("net_revenue_retention", DoubleType, true, "Σ MRR at the month / start_mrr over the observed accounts "
          + "(expansion counted, may exceed 1; null when start_mrr is 0)."),
  });

  /** The dimensions, in the order the table lists them. */
  public static final List<String> DIMENSIONS = List.of("all", "cohort", "channel", "segment", "industry");

  /**
   * @param accounts       {@code account_id, signup_date, acquisition_channel, industry} (clean CRM accounts)
   * @param subscriptions  {@code account_id, start_date, end_date, mrr} (clean billing subscriptions)
   * @param segments       {@code account_id, segment_name}: the segment each account's curve counts in
   * @param keptIndustries the industries {@code industry_focus} keeps; the others are "other"
   * @param graceDays      the churn definition's grace period ({@code labels.grace-days})
   */
  public static Dataset<Row> apply(Dataset<Row> accounts, Dataset<Row> subscriptions, Dataset<Row> segments,
      List<String> keptIndustries, LocalDate runDate, int graceDays) {
    String what = "retention_curves";
    Inputs.require(accounts, what, "accounts", "account_id", "signup_date", "acquisition_channel", "industry");
    Inputs.require(subscriptions, what, "subscriptions", "account_id", "start_date", "end_date", "mrr");
    Inputs.require(segments, what, "customer_segments", "account_id", "segment_name");
    Column run = lit(java.sql.Date.valueOf(runDate));
    Dataset<Row> known = SubscriptionTimeline.knownAt(subscriptions, runDate)
        .select("account_id", "start_date", "end_date", "mrr");

    // One row per account and observed month: the day m months after the first subscription started.
    Column observable = ceil(months_between(run, col("first_start"))).cast(IntegerType).plus(1);
    Dataset<Row> grid = known.groupBy("account_id").agg(min("start_date").as("first_start"))
        .withColumn("month_number", explode(sequence(lit(0), greatest(observable, lit(0)))))
        .withColumn("day", add_months(col("first_start"), col("month_number")))
        .where(col("month_number").geq(0).and(datediff(run, col("day")).gt(graceDays)))
        .select("account_id", "month_number", "day");

    Dataset<Row> g = grid.as("g");
    Dataset<Row> runs = ChurnLabeler.runs(subscriptions, runDate, graceDays).as("r");
    Dataset<Row> retained = g.join(runs, col("g.account_id").equalTo(col("r.account_id"))
            .and(col("r.run_start").leq(col("g.day")))
            .and(col("r.run_end").isNull().or(col("r.run_end").gt(col("g.day")))), "left")
        .select(col("g.account_id").as("account_id"), col("g.month_number").as("month_number"),
            col("r.run_start").isNotNull().as("retained"));

    Dataset<Row> paired = g.join(known.as("k"), col("g.account_id").equalTo(col("k.account_id"))
            .and(col("k.start_date").leq(col("g.day"))))
        .select(col("g.account_id").as("account_id"), col("g.month_number").as("month_number"),
            col("g.day").as("day"), col("k.end_date").as("end_date"), col("k.mrr").as("mrr"));
    WindowSpec sameDay = Window.partitionBy("account_id", "month_number");
    Column covers = col("end_date").isNull().or(col("end_date").gt(col("day")));
    Dataset<Row> revenue = paired
        .withColumn("_last_end", max(when(covers.unary_$bang(), col("end_date"))).over(sameDay))
        .groupBy("account_id", "month_number").agg(
            max(when(covers, 1).otherwise(0)).as("_covered"),
            sum(when(covers, col("mrr"))).as("_covered_mrr"),
            sum(when(col("end_date").equalTo(col("_last_end")), col("mrr"))).as("_last_mrr"));

    Column mrr = when(col("retained").unary_$bang(), lit(0.0))
        .when(col("_covered").equalTo(1), coalesce(col("_covered_mrr"), lit(0.0)))
        .otherwise(coalesce(col("_last_mrr"), lit(0.0)));
    Dataset<Row> monthly = retained.join(revenue, new String[] {"account_id", "month_number"})
        .withColumn("mrr_m", mrr)
        .withColumn("mrr_0", max(when(col("month_number").equalTo(0), col("mrr_m"))).over(
            Window.partitionBy("account_id")));

    Dataset<Row> groups = accounts.select(col("account_id"),
            date_format(col("signup_date"), "yyyy-MM").as("cohort"),
            coalesce(col("acquisition_channel"), lit("unknown")).as("channel"),
            IndustryFocus.folded(col("industry"), keptIndustries).as("industry"))
        .join(segments.select("account_id", "segment_name"), new String[] {"account_id"}, "left");
    Column dimensions = explode(array(
        struct(lit("all").as("dimension"), lit("all").as("group_value")),
        struct(lit("cohort").as("dimension"), col("cohort").as("group_value")),
        struct(lit("channel").as("dimension"), col("channel").as("group_value")),
        struct(lit("segment").as("dimension"), col("segment_name").as("group_value")),
        struct(lit("industry").as("dimension"), col("industry").as("group_value"))));
    Dataset<Row> grouped = monthly.join(groups, "account_id")
        .withColumn("_g", dimensions)
        .where(col("_g.group_value").isNotNull())
        .groupBy(col("_g.dimension").as("dimension"), col("_g.group_value").as("group_value"), col("month_number"))
        .agg(count(lit(1)).as("accounts_observed"),
            sum(when(col("retained"), 1L).otherwise(0L)).as("accounts_retained"),
            sum("mrr_0").as("start_mrr"),
            sum(least(col("mrr_m"), col("mrr_0"))).as("_kept_mrr"),
            sum("mrr_m").as("_mrr"));
    Column start = col("start_mrr");
    return grouped.select(
        col("dimension"), col("group_value"), col("month_number"), col("accounts_observed"),
        col("accounts_retained"),
        col("accounts_retained").divide(col("accounts_observed")).as("logo_retention"),
        start,
        when(start.gt(0), col("_kept_mrr").divide(start)).as("gross_revenue_retention"),
        when(start.gt(0), col("_mrr").divide(start)).as("net_revenue_retention"));
  }
}
