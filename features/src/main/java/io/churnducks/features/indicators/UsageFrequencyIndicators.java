package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.bit_count;
import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * How much, how broadly and by whom the product is used, from the daily roll-ups, over the 28 and
 * 90 days before the as-of date D (and days 29–56 before it, for trends). Each input row is paired
 * only with the as-of dates within its window, so the rows read can be bounded to the
 * {@value #LOOKBACK_DAYS} days before the spine's dates ({@link UsageIndicators} does).
 *
 * <p>Feature values are of three kinds ({@link IndicatorSettings}): intent events and error events
 * are counted on their own and never as product usage; everything else is product usage.
 *
 * <p>Computed from the {@link UsageWindows} state as of each date (per feature: sums and the days
 * with events as bit masks; per feature and user; per user and device) with plain aggregates (sums,
 * counts, bitwise or; the only list collected is an account's features, for the per-feature maps):
 * active days are the bits set in the union of an account's product features' day sets, a user is
 * active when one of their devices' day sets has a bit in the last 28 days. Output:
 * {@code account_id, as_of_date} + {@link #COLUMNS}.
 */
public final class UsageFrequencyIndicators {

  /** Days of roll-ups an as-of date needs. */
  public static final int LOOKBACK_DAYS = 90;

  /** Output columns after the key, in order. */
  public static final List<String> COLUMNS = List.of(
      "active_users_28d", "active_users_prev_28d", "lost_users_28d", "lost_users_90d", "lost_user_share_90d",
      "devices_per_user_28d",
      "active_days_28d", "active_days_90d", "events_28d", "events_prev_28d", "events_90d", "usage_trend_28d",
      "events_per_active_user_28d", "features_used_28d", "key_feature_events_28d", "key_feature_share_90d",
      "intent_events_28d",
      "error_events_28d", "usage_cost_28d", "feature_events_28d", "feature_users_28d", "feature_trend_28d");

  private UsageFrequencyIndicators() {}

  /** The indicators of every spine row, from the roll-ups of the 90 days before its date. */
  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> featureDays, Dataset<Row> userDays,
      IndicatorSettings settings) {
    return apply(spine, UsageWindows.build(spine, featureDays, userDays), settings);
  }

  /**
   * The indicators of every spine row, from the usage windows as of its date (built from the
   * roll-ups or advanced from an earlier date's).
   */
  public static Dataset<Row> apply(Dataset<Row> spine, UsageWindows.State state, IndicatorSettings settings) {
    Dataset<Row> perFeature = state.features()
        .join(state.featureUsers().groupBy("account_id", "as_of_date", "feature").agg(count(lit(1)).as("_u28")),
            new String[] {"account_id", "as_of_date", "feature"}, "left")
        .select(col("account_id"), col("as_of_date"), col("feature"), col("e28").as("_e28"),
            col("eprev").as("_eprev"), col("e90").as("_e90"), col("q28").as("_q28"), col("days_low").as("_days_low"),
            col("days_high").as("_days_high"), coalesce(col("_u28"), lit(0L)).as("_u28"));

    Column intent = col("feature").isin(settings.intentFeatures().toArray());
    Column error = col("feature").isin(settings.errorFeatures().toArray());
    Column product = intent.or(error).unary_$bang();
    Column key = settings.keyFeatures().isEmpty() ? lit(false) : col("feature").isin(settings.keyFeatures().toArray());
    Column e28 = coalesce(col("_e28"), lit(0L));
    Column ePrev = coalesce(col("_eprev"), lit(0L));
    Column low = bit_or(when(product, col("_days_low")).otherwise(0L));
    Column high = bit_or(when(product, col("_days_high")).otherwise(0L));
    Dataset<Row> windowed = perFeature.groupBy("account_id", "as_of_date").agg(
        sum(when(product, e28)).as("events_28d"),
        sum(when(product, ePrev)).as("events_prev_28d"),
        sum(when(product, col("_e90"))).as("events_90d"),
        bit_count(low.bitwiseAND(lit(UsageWindows.RECENT_BITS))).as("active_days_28d"),
        bit_count(low).plus(bit_count(high)).as("active_days_90d"),
        count(when(product.and(e28.gt(0)), 1)).as("features_used_28d"),
        sum(when(key.and(product), e28)).as("key_feature_events_28d"),
        sum(when(key.and(product), col("_e90"))).as("_key_events_90d"),
        sum(when(intent, e28)).as("intent_events_28d"),
        sum(when(error, e28)).as("error_events_28d"),
        sum(when(product, col("_q28").multiply(unitCost(settings).cast(DataTypes.createDecimalType(18, 9)))))
            .as("usage_cost_28d"),
        collect_list(when(product.and(e28.plus(ePrev).gt(0)),
            struct(e28.plus(ePrev).multiply(-1).as("rank"), col("feature").as("f"), e28.cast("double").as("e28"),
                ePrev.cast("double").as("eprev"), col("_u28").cast("double").as("u28"))))
            .as("_features"));

    // Per user: active now (a device in the last 28 days), in days 29-56, their events in days 29-90
    // (before the last 28) and their devices of the last 28 days (no device is one device).
    Column recent = col("days_low").bitwiseAND(lit(UsageWindows.RECENT_BITS)).notEqual(0L);
    Column previous = col("days_low").bitwiseAND(lit(UsageWindows.PREVIOUS_BITS)).notEqual(0L);
    Dataset<Row> perUser = state.devices()
        .select(col("account_id"), col("as_of_date"), col("user_id"), when(recent, 1).otherwise(0).as("_now"),
            when(previous, 1).otherwise(0).as("_before"), col("earlier").as("_earlier"))
        .groupBy("account_id", "as_of_date", "user_id").agg(
            max(col("_now")).as("_now"),
            max(col("_before")).as("_before"),
            sum(col("_earlier")).as("_earlier"),
            sum(col("_now")).as("_devices"));
    Column gone = col("_now").equalTo(0);
    Dataset<Row> users = perUser.groupBy("account_id", "as_of_date").agg(
        sum(col("_now")).as("active_users_28d"),
        sum(col("_before")).as("active_users_prev_28d"),
        count(when(col("_before").equalTo(1).and(gone), 1)).as("lost_users_28d"),
        count(when(col("_earlier").gt(0).and(gone), 1)).as("lost_users_90d"),
        sum(when(gone, col("_earlier")).otherwise(0L)).as("_lost_events"),
        sum(col("_earlier")).as("_earlier_events"),
        sum(col("_devices")).as("_user_devices"));

    return finish(spine, settings, windowed, users);
  }

  /**
   * The indicators of every spine row from their sums per account and date: the columns of
   * {@link AccountUsageWindows#AGGREGATES}, in one frame or several (each keyed by
   * {@code account_id, as_of_date}). A spine row without sums has no usage in the window.
   */
  @SafeVarargs
  public static Dataset<Row> finish(Dataset<Row> spine, IndicatorSettings settings, Dataset<Row>... aggregates) {
    String[] keyColumns = {"account_id", "as_of_date"};
    Dataset<Row> joined = spine.select(keyColumns[0], keyColumns[1]);
    for (Dataset<Row> a : aggregates) {
      joined = joined.join(a, keyColumns, "left");
    }
    return finished(joined, settings);
  }

  /**
   * The indicators of rows that hold their sums ({@link AccountUsageWindows#AGGREGATES}, null
   * meaning no usage), with the {@code carried} columns after the key as they are.
   */
  public static Dataset<Row> finished(Dataset<Row> sums, IndicatorSettings settings, String... carried) {
    Column events28 = coalesce(col("events_28d"), lit(0L)).cast("double");
    Column eventsPrev = coalesce(col("events_prev_28d"), lit(0L)).cast("double");
    Column activeUsers = coalesce(col("active_users_28d"), lit(0L));
    // The listed features sorted once per row (a projection of its own, so the three maps below
    // read it rather than each sorting again).
    Dataset<Row> rows = sums.withColumn("_top", expr(String.format(Locale.ROOT,
        "slice(sort_array(coalesce(_features, array())), 1, %d)", settings.maxFeatures())));
    String top = "_top";
    String usedNow = "filter(" + top + ", x -> x.e28 > 0)";
    List<Column> out = new java.util.ArrayList<>(List.of(col("account_id"), col("as_of_date")));
    for (String c : carried) {
      out.add(col(c));
    }
    out.addAll(List.of(
        activeUsers.as("active_users_28d"),
        coalesce(col("active_users_prev_28d"), lit(0L)).as("active_users_prev_28d"),
        coalesce(col("lost_users_28d"), lit(0L)).as("lost_users_28d"),
        coalesce(col("lost_users_90d"), lit(0L)).as("lost_users_90d"),
        when(col("_earlier_events").gt(0), col("_lost_events").divide(col("_earlier_events"))).otherwise(0.0)
            .as("lost_user_share_90d"),
        when(activeUsers.gt(0), col("_user_devices").divide(activeUsers)).otherwise(0.0).as("devices_per_user_28d"),
        coalesce(col("active_days_28d"), lit(0)).cast("long").as("active_days_28d"),
        coalesce(col("active_days_90d"), lit(0)).cast("long").as("active_days_90d"),
        events28.as("events_28d"),
        eventsPrev.as("events_prev_28d"),
        coalesce(col("events_90d"), lit(0L)).cast("double").as("events_90d"),
        log(events28.plus(1)).minus(log(eventsPrev.plus(1))).as("usage_trend_28d"),
        when(activeUsers.gt(0), events28.divide(activeUsers)).otherwise(0.0).as("events_per_active_user_28d"),
        coalesce(col("features_used_28d"), lit(0L)).as("features_used_28d"),
        coalesce(col("key_feature_events_28d"), lit(0L)).cast("double").as("key_feature_events_28d"),
        when(col("events_90d").gt(0), coalesce(col("_key_events_90d"), lit(0L)).divide(col("events_90d")))
            .as("key_feature_share_90d"),
        coalesce(col("intent_events_28d"), lit(0L)).cast("double").as("intent_events_28d"),
        coalesce(col("error_events_28d"), lit(0L)).cast("double").as("error_events_28d"),
        // Decimal quantities times decimal costs, summed exactly; to a millionth of a currency unit.
        coalesce(round(col("usage_cost_28d"), 6).cast("double"), lit(0.0)).as("usage_cost_28d"),
        expr("map_from_entries(transform(" + usedNow + ", x -> struct(x.f, x.e28)))").as("feature_events_28d"),
        expr("map_from_entries(transform(" + usedNow + ", x -> struct(x.f, x.u28)))").as("feature_users_28d"),
        expr("map_from_entries(transform(" + top + ", x -> struct(x.f, ln((x.e28 + 1) / (x.eprev + 1)))))")
            .as("feature_trend_28d")));
    return rows.select(out.toArray(Column[]::new));
  }

  /** Cost to serve one unit of each feature: its configured cost, else the default per unit. */
  private static Column unitCost(IndicatorSettings settings) {
    Column cost = lit(settings.costPerUnit());
    for (Map.Entry<String, Double> e : settings.featureCosts().entrySet()) {
      cost = when(col("feature").equalTo(e.getKey()), e.getValue()).otherwise(cost);
    }
    return cost;
  }
}
