package io.churnducks.features.labels;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * When accounts are active: the one definition that scoring, training examples and labels share.
 * An account is active on day d when some subscription covers d:
 * {@code start_date <= d < end_date} (the end date is exclusive, a null end date is open). So a
 * subscription that starts on d makes its account active on d, and one that ends on d no longer
 * covers d.
 */
public final class SubscriptionTimeline {

  private SubscriptionTimeline() {}

  /** The scoring spine: who is scored on the run date. */
  public static final StructType SPINE_SCHEMA = new StructType(new StructField[] {
      field("account_id", StringType, false, "Account identifier."),
      field("as_of_date", DateType, false, "The run date."),
      field("lapsed", BooleanType, false,
          "True when no subscription covers the run date but the last one ended at most the grace period before "
              + "it (not churned yet); false when the account is active on the run date."),
  });

  /**
   * The subscriptions as they were known on the morning of {@code day}: those started on or before
   * it, with an end date only when that end is on or before {@code day} (it has happened). A later
   * end date is a scheduled end (cancel at period end) whose scheduling date the source does not
   * give, so it is treated as open: it is not known at past dates.
   */
  public static Dataset<Row> knownAt(Dataset<Row> subscriptions, LocalDate day) {
    Column d = lit(java.sql.Date.valueOf(day));
    return subscriptions.where(col("start_date").leq(d))
        .withColumn("end_date", when(col("end_date").leq(d), col("end_date")));
  }

  /**
   * The (account_id, as_of_date) pairs where the account is active on the as-of date.
   *
   * @param asOfDates one column {@code as_of_date}
   */
  public static Dataset<Row> activeOn(Dataset<Row> subscriptions, Dataset<Row> asOfDates) {
    Dataset<Row> dates = broadcast(asOfDates.select("as_of_date").distinct());
    Column covers = covers(subscriptions.col("start_date"), subscriptions.col("end_date"), dates.col("as_of_date"));
    return subscriptions.join(dates, covers).select(col("account_id"), col("as_of_date")).distinct();
  }

  /**
   * Who is scored on {@code runDate}, in {@link #SPINE_SCHEMA}: every account active on it (from
   * the subscriptions {@link #knownAt} it, so exactly the accounts {@link #activeOn} finds and
   * {@link ChurnLabeler} would take as examples on that date), plus the <em>lapsed</em> accounts:
   * nothing covers the run date, and the latest end of their known subscriptions is at most
   * {@code graceDays} days before it ({@code end_date} in [runDate - graceDays, runDate]). Those are
   * exactly the accounts whose end {@link ChurnLabeler#churnEvents} does not confirm as churn yet
   * (a restart within the grace period would still be a renewal): the most urgent saves. A restart
   * counts once it has started (start on or before the run date); a subscription starting later
   * is not known on the run date.
   */
  public static Dataset<Row> scoringSpine(Dataset<Row> subscriptions, LocalDate runDate, int graceDays) {
    if (graceDays < 0) {
      throw new IllegalArgumentException("Cannot build the scoring spine for " + runDate + ": grace period "
          + graceDays + " days is negative (set labels.grace-days to 0 or more)");
    }
    Column day = lit(java.sql.Date.valueOf(runDate));
    Dataset<Row> perAccount = knownAt(subscriptions, runDate).groupBy("account_id").agg(
        max(when(covers(col("start_date"), col("end_date"), day), 1).otherwise(0)).as("_active"),
        max(col("end_date")).as("_last_end"));
    Column active = col("_active").equalTo(1);
    // Every known end is on or before the run date; an account without one is active (open subscription).
    Column lapsed = coalesce(active.unary_$bang().and(datediff(day, col("_last_end")).leq(graceDays)), lit(false));
    return perAccount.where(active.or(lapsed))
        .select(col("account_id"), day.as("as_of_date"), lapsed.as("lapsed"));
  }

  /** The one "covers day d" rule: {@code start_date <= d < end_date}, null end = open. */
  private static Column covers(Column start, Column end, Column day) {
    return start.leq(day).and(end.isNull().or(end.gt(day)));
  }
}
