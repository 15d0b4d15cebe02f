package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;

/**
 * Every usage indicator of a spine, from the daily roll-ups ({@link UsageRollup}) and, when one
 * is given, the values stored for an earlier as-of date ({@link UsageHistory.Anchor}).
 *
 * <p>Reads are bounded by the spine's dates: the 28/56-day windows read the 56 days before them,
 * the running values read from the anchor on (the whole history only without an anchor). A night
 * with yesterday's values as its anchor therefore reads about two months of roll-ups, however long
 * the history is. The filters are on {@code event_date}, the roll-up tables' partition column, so
 * a roll-up read from the warehouse is pruned to those partitions.
 */
public final class UsageIndicators {

  /** Output columns after the key, in order; the last is state for the next anchor, not an indicator. */
  public static final List<String> COLUMNS = List.of(
      "active_users_28d", "active_days_28d", "events_28d", "events_prev_28d", "usage_trend_28d",
      "features_used_28d", "devices_per_user_28d", "intent_events_28d", "days_since_last_activity",
      "early_events_14d", "early_features_14d", UsageHistory.LAST_ACTIVE);

  private UsageIndicators() {}

  /**
   * @param spine       {@code account_id, as_of_date}
   * @param asOfDates   the spine's distinct as-of dates
   * @param featureDays account × day × feature roll-up
   * @param userDays    account × day × user × device roll-up (product usage only)
   * @param accounts    {@code account_id, signup_date}
   * @return {@code account_id, as_of_date} + {@link #COLUMNS}, one row per spine row
   */
  public static Dataset<Row> compute(Dataset<Row> spine, List<LocalDate> asOfDates, Dataset<Row> featureDays,
      Dataset<Row> userDays, Dataset<Row> accounts, List<String> intentFeatures,
      Optional<UsageHistory.Anchor> anchor) {
    Windows.require(spine, "usage indicators", "account_id", "as_of_date");
    LocalDate first = asOfDates.stream().min(LocalDate::compareTo).orElseThrow(
        () -> new IllegalArgumentException("Cannot compute usage indicators: no as-of date"));
    LocalDate last = asOfDates.stream().max(LocalDate::compareTo).orElseThrow();
    Dataset<Row> recentFeatures = between(featureDays, first.minusDays(56), last);
    Dataset<Row> recentUsers = between(userDays, first.minusDays(28), last);
    String[] key = {"account_id", "as_of_date"};
    Dataset<Row> windows = UsageFrequencyIndicators.apply(spine, recentFeatures, recentUsers, intentFeatures);
    Dataset<Row> history = UsageHistory.apply(spine, asOfDates, featureDays, accounts, intentFeatures, anchor);
    return windows.join(history, key, "left").select(
        col("account_id"), col("as_of_date"),
        col("active_users_28d"), col("active_days_28d"), col("events_28d"), col("events_prev_28d"),
        col("usage_trend_28d"), col("features_used_28d"), col("devices_per_user_28d"), col("intent_events_28d"),
        Windows.daysBefore(col(UsageHistory.LAST_ACTIVE)).as("days_since_last_activity"),
        col("early_events_14d"), col("early_features_14d"), col(UsageHistory.LAST_ACTIVE));
  }

  private static Dataset<Row> between(Dataset<Row> rollup, LocalDate from, LocalDate until) {
    return rollup.where(col("event_date").geq(UsageHistory.sqlDate(from))
        .and(col("event_date").lt(UsageHistory.sqlDate(until))));
  }
}
