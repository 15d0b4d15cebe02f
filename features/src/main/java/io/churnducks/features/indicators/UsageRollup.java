package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
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

  /** The stored account × day × feature roll-up ({@code usage_feature_days}), partitioned by event_date. */
  public static final StructType FEATURE_DAYS_SCHEMA = new StructType(new StructField[] {
      Schemas.field("account_id", StringType, true, "Account the events belong to."),
      Schemas.field("feature", StringType, true, "Product feature (or intent event)."),
      Schemas.field("events", LongType, false, "Events of the feature that day."),
      Schemas.field("quantity", DoubleType, true, "Sum of the events' quantity that day."),
      Schemas.field("users", DataTypes.createArrayType(StringType, false), true,
          "Distinct users of the feature that day (events without a user left out)."),
      Schemas.field("event_date", DateType, true, "Day of the events (UTC; a date-laid-out source's folder date)."),
  });

  /** The stored account × day × user × device roll-up ({@code usage_user_days}), product usage only. */
  public static final StructType USER_DAYS_SCHEMA = new StructType(new StructField[] {
      Schemas.field("account_id", StringType, true, "Account the events belong to."),
      Schemas.field("user_id", StringType, true, "User (login) of the events; null when the source has none."),
      Schemas.field("device_id", StringType, true, "Device of the events; null when the source has none."),
      Schemas.field("events", LongType, false, "Product usage events (intent and error events excluded) that day."),
      Schemas.field("event_date", DateType, true, "Day of the events (UTC; a date-laid-out source's folder date)."),
  });

  /**
   * Account × day × feature: {@code account_id, event_date, feature, events, quantity}.
   * Input: canonical usage_events.
   */
  public static Dataset<Row> featureDays(Dataset<Row> events) {
    return featureDays(events, to_date(col("event_time")));
  }

  /** As {@link #featureDays(Dataset)}, each event dated by {@code eventDate} (e.g. its folder's date). */
  public static Dataset<Row> featureDays(Dataset<Row> events, Column eventDate) {
    Windows.require(events, "usage feature roll-up", "account_id", "event_time", "feature", "quantity", "user_id");
    return events
        .groupBy(col("account_id"), eventDate.as("event_date"), col("feature"))
        .agg(count(lit(1)).as("events"), sum(col("quantity")).as("quantity"),
            // sorted: the same roll-up however the events were partitioned (a cluster or one machine)
            array_sort(collect_set(col("user_id"))).as("users"));
  }

  /**
   * Account × day × user × device: {@code account_id, event_date, user_id, device_id, events}.
   * The grain distinct-user and device counts over a window need. Intent and error events are excluded:
   * looking at the pricing page is not using the product.
   *
   * @param nonUsageFeatures intent and error events ({@link IndicatorSettings#nonUsageFeatures})
   */
  public static Dataset<Row> userDays(Dataset<Row> events, java.util.List<String> nonUsageFeatures) {
    return userDays(events, nonUsageFeatures, to_date(col("event_time")));
  }

  /** As {@link #userDays(Dataset, java.util.List)}, each event dated by {@code eventDate}. */
  public static Dataset<Row> userDays(Dataset<Row> events, java.util.List<String> nonUsageFeatures, Column eventDate) {
    Windows.require(events, "usage user roll-up", "account_id", "event_time", "feature", "user_id", "device_id");
    return events
        .where(col("feature").isin(nonUsageFeatures.toArray()).unary_$bang())
        .groupBy(col("account_id"), eventDate.as("event_date"),
            col("user_id"), col("device_id"))
        .agg(count(lit(1)).as("events"));
  }
}
