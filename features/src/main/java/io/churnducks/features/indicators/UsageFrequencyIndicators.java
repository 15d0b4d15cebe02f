package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * How much and how broadly the customer uses the product, from the daily roll-ups, over the
 * 28 days before the as-of date (and the 28 days before those, for the trend).
 * Output: {@code account_id, as_of_date, active_users_28d, active_days_28d, events_28d,
 * events_prev_28d, usage_trend_28d, features_used_28d, devices_per_user_28d, intent_events_28d}.
 * Each input row is paired only with the as-of dates within its window, so the rows read can be
 * bounded to the 56 days before the spine's dates ({@link UsageIndicators} does).
 * <ul>
 *   <li>{@code usage_trend_28d} = ln((events_28d + 1) / (events_prev_28d + 1)): below 0 means falling usage</li>
 *   <li>{@code devices_per_user_28d}: distinct (user, device) pairs per active user; high values
 *       suggest one login shared by several people</li>
 *  * </ul>
 * Intent events are counted in {@code intent_events_28d} only.
 */
public final class UsageFrequencyIndicators {

  private UsageFrequencyIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> featureDays, Dataset<Row> userDays,
      List<String> intentFeatures) {
    Windows.require(featureDays, "usage frequency indicators", "account_id", "event_date", "feature", "events");
    Windows.require(userDays, "usage frequency indicators", "account_id", "event_date", "user_id", "device_id");
    Column intent = col("feature").isin(intentFeatures.toArray());
    Column in28 = col("event_date").geq(date_sub(col("as_of_date"), 28));
    Column prev28 = in28.unary_$bang().and(col("event_date").geq(date_sub(col("as_of_date"), 56)));

    Dataset<Row> windowed = Windows.before(featureDays, "event_date", spine, 56)
        .groupBy("account_id", "as_of_date").agg(
            sum(when(in28.and(intent.unary_$bang()), col("events"))).as("events_28d"),
            sum(when(prev28.and(intent.unary_$bang()), col("events"))).as("events_prev_28d"),
            count_distinct(when(in28.and(intent.unary_$bang()), col("event_date"))).as("active_days_28d"),
            count_distinct(when(in28.and(intent.unary_$bang()), col("feature"))).as("features_used_28d"),
            sum(when(in28.and(intent), col("events"))).as("intent_events_28d"));
    Dataset<Row> users = Windows.before(userDays, "event_date", spine, 28)
        .groupBy("account_id", "as_of_date").agg(
            count_distinct(col("user_id")).as("active_users_28d"),
            count_distinct(concat_ws("\u0001", col("user_id"), col("device_id"))).as("_user_devices"));

    String[] key = {"account_id", "as_of_date"};
    Column events28 = coalesce(col("events_28d"), lit(0L)).cast("double");
    Column eventsPrev = coalesce(col("events_prev_28d"), lit(0L)).cast("double");
    Column activeUsers = coalesce(col("active_users_28d"), lit(0L));
    return spine.select(key[0], key[1])
        .join(windowed, key, "left").join(users, key, "left")
        .select(
            col("account_id"), col("as_of_date"),
            activeUsers.as("active_users_28d"),
            coalesce(col("active_days_28d"), lit(0L)).as("active_days_28d"),
            events28.as("events_28d"),
            eventsPrev.as("events_prev_28d"),
            log(events28.plus(1)).minus(log(eventsPrev.plus(1))).as("usage_trend_28d"),
            coalesce(col("features_used_28d"), lit(0L)).as("features_used_28d"),
            when(activeUsers.gt(0), col("_user_devices").divide(activeUsers)).otherwise(0.0).as("devices_per_user_28d"),
            coalesce(col("intent_events_28d"), lit(0L)).cast("double").as("intent_events_28d"));
  }
}
