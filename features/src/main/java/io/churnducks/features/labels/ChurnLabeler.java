package io.churnducks.features.labels;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * Churn labels (docs/architecture.md, "What churn means"). An account churns when its last subscription ends and no new one
 * starts within the grace period; a gap of at most {@code graceDays} days is a late renewal, not
 * churn. An example is (account, as-of date) with the account active on the as-of date; its label
 * says whether a churn happens in (as_of, as_of + horizon]. Everything is judged from the
 * subscriptions known on the run date, so an example is censored (label null) unless
 * as_of + horizon + grace &lt; run date.
 */
public final class ChurnLabeler {

  private ChurnLabeler() {}

  private static final LocalDate OPEN_END = LocalDate.of(9999, 12, 31);

  public static final StructType LABEL_SCHEMA = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("as_of_date", DateType, false, "Day the example is taken on; the account is active on it."),
      field("censored", BooleanType, false, "True when the horizon is not fully observed before the run date."),
      field("churned", BooleanType, true, "A churn happens in (as_of_date, as_of_date + horizon]; null when censored."),
      field("churn_date", DateType, true, "Day of that churn (the end of the last subscription)."),
  });

  /**
   * An account's customer lives known on {@code runDate}: {@code account_id, run_start, run_end}, one
   * row per run of subscriptions in which no gap is longer than the grace period (a late renewal
   * stays in the run). {@code run_end} is the end of the run's last subscription, null while a
   * subscription of the run is open (or ends after the run date, which is not known yet). Every
   * churn event of {@link #churnEvents} is the end of a run; a run that ended at most
   * {@code graceDays} days before the run date may still be renewed.
   */
  public static Dataset<Row> runs(Dataset<Row> subscriptions, LocalDate runDate, int graceDays) {
    Column openEnd = lit(java.sql.Date.valueOf(OPEN_END));
    Dataset<Row> subs = SubscriptionTimeline.knownAt(subscriptions, runDate)
        .select(col("account_id"), col("start_date"),
            org.apache.spark.sql.functions.coalesce(col("end_date"), openEnd).as("end_date"));
    WindowSpec byStart = Window.partitionBy("account_id").orderBy("start_date", "end_date");
    return subs
        .withColumn("_covered_until", max(col("end_date")).over(byStart.rowsBetween(Window.unboundedPreceding(), -1)))
        .withColumn("_new_run", when(col("_covered_until").isNull()
            .or(datediff(col("start_date"), col("_covered_until")).gt(graceDays)), 1).otherwise(0))
        .withColumn("_run", sum(col("_new_run")).over(byStart.rowsBetween(Window.unboundedPreceding(), 0)))
        .groupBy("account_id", "_run")
        .agg(min(col("start_date")).as("run_start"), max(col("end_date")).as("_end"))
        .select(col("account_id"), col("run_start"), when(col("_end").notEqual(openEnd), col("_end")).as("run_end"));
  }

  /**
   * Confirmed churn events known on {@code runDate}: {@code account_id, churn_date}, where
   * churn_date is the end of a run of subscriptions that no subscription restarts within the
   * grace period ({@link #runs}). A run that ended less than {@code graceDays} days before the run
   * date may still be renewed and is not a churn yet.
   */
  public static Dataset<Row> churnEvents(Dataset<Row> subscriptions, LocalDate runDate, int graceDays) {
    Column nextStart = lead(col("run_start"), 1).over(Window.partitionBy("account_id").orderBy("run_start"));
    return runs(subscriptions, runDate, graceDays).withColumn("_next_start", nextStart)
        .where(col("run_end").isNotNull()
            .and(col("_next_start").isNotNull()
                .or(datediff(lit(java.sql.Date.valueOf(runDate)), col("run_end")).gt(graceDays))))
        .select(col("account_id"), col("run_end").as("churn_date"));
  }

  /**
   * Labels every (account, as-of date) where the account is active, in {@link #LABEL_SCHEMA}.
   *
   * @param asOfDates one column {@code as_of_date}
   */
  public static Dataset<Row> label(Dataset<Row> subscriptions, Dataset<Row> asOfDates, LocalDate runDate,
      int horizonDays, int graceDays) {
    Dataset<Row> known = SubscriptionTimeline.knownAt(subscriptions, runDate);
    Dataset<Row> examples = SubscriptionTimeline.activeOn(known, asOfDates);
    Dataset<Row> events = churnEvents(subscriptions, runDate, graceDays);
    Column inHorizon = events.col("churn_date").gt(examples.col("as_of_date"))
        .and(events.col("churn_date").leq(date_add(examples.col("as_of_date"), horizonDays)));
    Dataset<Row> hits = examples.join(events,
            examples.col("account_id").equalTo(events.col("account_id")).and(inHorizon))
        .groupBy(examples.col("account_id"), examples.col("as_of_date"))
        .agg(min(col("churn_date")).as("churn_date"));
    Column censored = datediff(lit(java.sql.Date.valueOf(runDate)), col("as_of_date")).leq(horizonDays + graceDays);
    return examples.join(hits, new String[] {"account_id", "as_of_date"}, "left").select(
        col("account_id"), col("as_of_date"),
        censored.as("censored"),
        when(censored.unary_$bang(), col("churn_date").isNotNull()).as("churned"),
        when(censored.unary_$bang(), col("churn_date")).as("churn_date"));
  }

}
