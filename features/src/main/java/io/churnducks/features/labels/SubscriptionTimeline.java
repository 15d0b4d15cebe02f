package io.churnducks.features.labels;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * When accounts are active. An account is active on day d when some subscription covers d:
 * {@code start_date <= d < end_date} (null end = open).
 */
public final class SubscriptionTimeline {

  private SubscriptionTimeline() {}

  /**
   * The subscriptions as they were known on the morning of {@code runDate}: only those started
   * before it, and an end date on or after it is not yet known (open).
   */
  public static Dataset<Row> knownAt(Dataset<Row> subscriptions, LocalDate runDate) {
    Column day = lit(java.sql.Date.valueOf(runDate));
    return subscriptions.where(col("start_date").lt(day))
        .withColumn("end_date", when(col("end_date").lt(day), col("end_date")));
  }

  /**
   * The (account_id, as_of_date) pairs where the account is active on the as-of date.
   *
   * @param asOfDates one column {@code as_of_date}
   */
  public static Dataset<Row> activeOn(Dataset<Row> subscriptions, Dataset<Row> asOfDates) {
    Dataset<Row> dates = broadcast(asOfDates.select("as_of_date").distinct());
    Column covers = subscriptions.col("start_date").leq(dates.col("as_of_date"))
        .and(subscriptions.col("end_date").isNull().or(subscriptions.col("end_date").gt(dates.col("as_of_date"))));
    return subscriptions.join(dates, covers).select(col("account_id"), col("as_of_date")).distinct();
  }
}
