package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;

/**
 * Daily roll-ups of usage events. Windowed usage indicators read these instead of raw events,
 * so a night's cost can grow with the new day's events: a roll-up row is final once its day
 * has passed and can be stored once per event date.
 */
public final class UsageRollup {

  private UsageRollup() {}

  /**
   * Account × day × feature: {@code account_id, event_date, feature, events, quantity}.
   * Input: canonical usage_events.
   */
  public static Dataset<Row> featureDays(Dataset<Row> events) {
    Windows.require(events, "usage feature roll-up", "account_id", "event_time", "feature", "quantity");
    return events
        .groupBy(col("account_id"), to_date(col("event_time")).as("event_date"), col("feature"))
        .agg(count(lit(1)).as("events"), sum(col("quantity")).as("quantity"));
  }

  /**
   * Account × day × user × device: {@code account_id, event_date, user_id, device_id, events}.
   * The grain distinct-user and device counts over a window need. Intent features are excluded:
   * looking at the pricing page is not using the product.
   */
  public static Dataset<Row> userDays(Dataset<Row> events, java.util.List<String> intentFeatures) {
    Windows.require(events, "usage user roll-up", "account_id", "event_time", "feature", "user_id", "device_id");
    return events
        .where(col("feature").isin(intentFeatures.toArray()).unary_$bang())
        .groupBy(col("account_id"), to_date(col("event_time")).as("event_date"),
            col("user_id"), col("device_id"))
        .agg(count(lit(1)).as("events"));
  }
}
