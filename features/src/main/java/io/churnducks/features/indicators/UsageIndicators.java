package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.when;

/**
 * Every usage indicator of a spine, from the daily roll-ups ({@link UsageRollup}) and, when one
 * is given, the values stored for an earlier as-of date ({@link UsageHistory.Anchor}).
 *
 * <p>Reads are bounded by the spine's dates: the windows read the
 * {@value UsageFrequencyIndicators#LOOKBACK_DAYS} days before them, the running values read from
 * the anchor on (the whole history only without an anchor). A night with yesterday's values as its
 * anchor therefore reads about three months of roll-ups, however long the history is. The filters
 * are on {@code event_date}, the roll-up tables' partition column, so a roll-up read from the
 * warehouse is pruned to those partitions.
 */
public final class UsageIndicators {

  /** Output columns after the key, in order; the last two are state for the next anchor, not indicators. */
  public static final List<String> COLUMNS = columns();

  private UsageIndicators() {}

  private static List<String> columns() {
    List<String> out = new ArrayList<>(UsageFrequencyIndicators.COLUMNS);
    out.addAll(List.of("days_since_last_activity", "days_to_first_value", "value_reached", "early_events_14d",
        "early_active_days_14d", "early_features_14d", "early_key_feature_events_14d", "lifetime_events",
        "lifetime_key_feature_events", "key_feature_share_lifetime", UsageHistory.LAST_ACTIVE,
        UsageHistory.FIRST_VALUE));
    return List.copyOf(out);
  }

  /**
   * @param spine       {@code account_id, as_of_date}
   * @param asOfDates   the spine's distinct as-of dates
   * @param featureDays account × day × feature roll-up
   * @param userDays    account × day × user × device roll-up (product usage only)
   * @param accounts    {@code account_id, signup_date}
   * @return {@code account_id, as_of_date} + {@link #COLUMNS}, one row per spine row
   */
  public static Dataset<Row> compute(Dataset<Row> spine, List<LocalDate> asOfDates, Dataset<Row> featureDays,
      Dataset<Row> userDays, Dataset<Row> accounts, IndicatorSettings settings, Optional<UsageHistory.Anchor> anchor) {
    Windows.require(spine, "usage indicators", "account_id", "as_of_date");
    LocalDate first = asOfDates.stream().min(LocalDate::compareTo).orElseThrow(
        () -> new IllegalArgumentException("Cannot compute usage indicators: no as-of date"));
    LocalDate last = asOfDates.stream().max(LocalDate::compareTo).orElseThrow();
    return complete(UsageFrequencyIndicators.apply(spine, windows(spine, featureDays, userDays, first, last), settings),
        UsageHistory.apply(spine, asOfDates, featureDays, accounts, settings, anchor), accounts);
  }

  /**
   * The usage windows of every as-of date of a spine, from the roll-ups of the
   * {@value UsageFrequencyIndicators#LOOKBACK_DAYS} days before its dates.
   */
  public static UsageWindows.State windows(Dataset<Row> spine, Dataset<Row> featureDays, Dataset<Row> userDays,
      LocalDate first, LocalDate last) {
    return UsageWindows.build(spine, between(featureDays, first.minusDays(UsageFrequencyIndicators.LOOKBACK_DAYS), last),
        between(userDays, first.minusDays(UsageFrequencyIndicators.LOOKBACK_DAYS), last));
  }

  /**
   * As {@link #compute(Dataset, List, Dataset, Dataset, Dataset, IndicatorSettings, Optional)}, with
   * the windowed indicators ({@link UsageFrequencyIndicators}) already computed for the spine, from
   * usage windows built or advanced for its dates.
   */
  public static Dataset<Row> complete(Dataset<Row> spine, List<LocalDate> asOfDates, Dataset<Row> windowed,
      Dataset<Row> featureDays, Dataset<Row> accounts, IndicatorSettings settings,
      Optional<UsageHistory.Anchor> anchor) {
    Windows.require(spine, "usage indicators", "account_id", "as_of_date");
    return complete(windowed, UsageHistory.apply(spine, asOfDates, featureDays, accounts, settings, anchor),
        accounts);
  }

  /**
   * The usage indicators from the windowed ones and the running values of {@link UsageHistory},
   * both of the same spine.
   *
   * @param windows  {@code account_id, as_of_date} + {@link UsageFrequencyIndicators#COLUMNS}
   * @param running  {@code account_id, as_of_date} + {@link UsageHistory#STATE}
   * @param accounts {@code account_id, signup_date}
   */
  public static Dataset<Row> complete(Dataset<Row> windows, Dataset<Row> running, Dataset<Row> accounts) {
    String[] key = {"account_id", "as_of_date"};
    Dataset<Row> history = running.join(accounts.select("account_id", "signup_date"), new String[] {"account_id"},
        "left");
    return completed(windows.join(history, key, "left"));
  }

  /**
   * The usage indicators of the accounts listed in rows advanced with their running values
   * ({@link AccountUsageWindows#advance} given them): each such row holds all its account's
   * indicators are made of, so they take no join.
   *
   * @param advanced {@link AccountUsageWindows#ADVANCED_SCHEMA} rows
   */
  public static Dataset<Row> advanced(Dataset<Row> advanced, IndicatorSettings settings) {
    List<String> carried = new ArrayList<>(UsageHistory.STATE);
    carried.add("signup_date");
    return completed(UsageFrequencyIndicators.finished(advanced.where(col("listed")), settings,
        carried.toArray(String[]::new)));
  }

  /** The output columns from rows holding the windowed indicators, the running values and the signup date. */
  private static Dataset<Row> completed(Dataset<Row> rows) {
    Column firstValue = col(UsageHistory.FIRST_VALUE);
    List<Column> out = new ArrayList<>(List.of(col("account_id"), col("as_of_date")));
    UsageFrequencyIndicators.COLUMNS.forEach(c -> out.add(col(c)));
    out.addAll(List.of(
        Windows.daysBefore(col(UsageHistory.LAST_ACTIVE)).as("days_since_last_activity"),
        datediff(firstValue, col("signup_date")).as("days_to_first_value"),
        when(firstValue.isNotNull(), 1).otherwise(0).as("value_reached"),
        col("early_events_14d"), col("early_active_days_14d"), col("early_features_14d"),
        col("early_key_feature_events_14d"), col("lifetime_events"), col("lifetime_key_feature_events"),
        when(col("lifetime_events").gt(0), col("lifetime_key_feature_events").divide(col("lifetime_events")))
            .as("key_feature_share_lifetime"),
        col(UsageHistory.LAST_ACTIVE), firstValue));
    return rows.select(out.toArray(Column[]::new));
  }

  private static Dataset<Row> between(Dataset<Row> rollup, LocalDate from, LocalDate until) {
    return rollup.where(col("event_date").geq(UsageHistory.sqlDate(from))
        .and(col("event_date").lt(UsageHistory.sqlDate(until))));
  }
}
