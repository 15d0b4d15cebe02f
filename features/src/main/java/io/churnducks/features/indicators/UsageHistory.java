package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Usage indicators that look back to the beginning of an account's history, computed as running
 * totals instead of a range join over all history:
 * <ul>
 *   <li>{@code last_active_date}: last day with product usage before the as-of date (a running
 *       maximum); {@code days_since_last_activity} is derived from it;</li>
 *   <li>{@code first_value_date}: first day on or after signup with use of a key feature (any
 *       product feature when no key feature is configured), a running minimum;
 *       {@code days_to_first_value} is derived from it;</li>
 *   <li>{@code early_events_14d}, {@code early_active_days_14d}, {@code early_features_14d},
 *       {@code early_key_feature_events_14d}: product usage events, days with usage, distinct
 *       features and key-feature events in the first {@value #ONBOARDING_DAYS} days after signup,
 *       counting only days before the as-of date (running sums of each bucket's events and days,
 *       and of features' first uses);</li>
 *   <li>{@code lifetime_events}, {@code lifetime_key_feature_events}: product usage events and
 *       key-feature events before the as-of date, running sums.</li>
 * </ul>
 *
 * <p>Each roll-up day is put in the bucket of the first as-of date after it; per account, the
 * buckets are folded in date order with a window, so the cost is one pass over the roll-up rows
 * read, whatever the number of as-of dates. With an {@link Anchor} (the same values stored for an
 * earlier as-of date) only roll-up days from the anchor on are read: the last active day is
 * {@code max(anchor, days since)}, and early usage is final once an account's onboarding window
 * ended before the anchor. Without one, the whole roll-up history is read once. A night one step
 * after its anchor continues them account by account instead, in the pass that advances the usage
 * windows ({@link AccountUsageWindows#advance}, then {@link #continued}); both give the values of
 * the whole history.
 */
public final class UsageHistory {

  /** Length of the onboarding window, days. */
  public static final int ONBOARDING_DAYS = 14;

  /** State column: last day with product usage strictly before the as-of date (null: never). */
  public static final String LAST_ACTIVE = "last_active_date";

  /** State column: first day of key-feature use on or after signup, before the as-of date (null: not yet). */
  public static final String FIRST_VALUE = "first_value_date";

  /** Values per account an anchor carries forward, with their types; the output columns after the key. */
  public static final StructType STATE_TYPES = new StructType().add(LAST_ACTIVE, DataTypes.DateType)
      .add(FIRST_VALUE, DataTypes.DateType).add("early_events_14d", DataTypes.DoubleType)
      .add("early_active_days_14d", DataTypes.LongType).add("early_features_14d", DataTypes.LongType)
      .add("early_key_feature_events_14d", DataTypes.DoubleType).add("lifetime_events", DataTypes.DoubleType)
      .add("lifetime_key_feature_events", DataTypes.DoubleType);

  /** The names of {@link #STATE_TYPES}. */
  public static final List<String> STATE = List.of(STATE_TYPES.fieldNames());

  /**
   * Values already known as of an earlier date.
   *
   * @param asOfDate the anchor's as-of date, before every date being computed
   * @param state    {@code account_id} + {@link #STATE} as of it
   */
  public record Anchor(LocalDate asOfDate, Dataset<Row> state) {}

  private UsageHistory() {}

  /**
   * @param spine        {@code account_id, as_of_date}; its dates are {@code asOfDates}
   * @param asOfDates    the spine's distinct as-of dates (few: nights or month starts)
   * @param featureDays  account × day × feature roll-up ({@code account_id, event_date, feature, events})
   * @param accounts     {@code account_id, signup_date}
   * @return {@code account_id, as_of_date} + {@link #STATE}
   */
  public static Dataset<Row> apply(Dataset<Row> spine, List<LocalDate> asOfDates, Dataset<Row> featureDays,
      Dataset<Row> accounts, IndicatorSettings settings, Optional<Anchor> anchor) {
    Windows.require(featureDays, "usage history", "account_id", "event_date", "feature", "events");
    Windows.require(accounts, "usage history", "account_id", "signup_date");
    List<LocalDate> dates = asOfDates.stream().distinct().sorted().toList();
    if (dates.isEmpty()) {
      throw new IllegalArgumentException("Cannot compute usage history: no as-of date");
    }
    anchor.ifPresent(a -> {
      if (!a.asOfDate().isBefore(dates.get(0))) {
        throw new IllegalArgumentException("Cannot compute usage history: anchor " + a.asOfDate()
            + " is not before the first as-of date " + dates.get(0));
      }
    });
    LocalDate last = dates.get(dates.size() - 1);
    Column product = col("feature").isin(settings.nonUsageFeatures().toArray()).unary_$bang();
    Column key = settings.keyFeatures().isEmpty() ? lit(false) : col("feature").isin(settings.keyFeatures().toArray());
    Column value = settings.keyFeatures().isEmpty() ? lit(true) : key;
    Dataset<Row> usage = featureDays.where(product.and(col("event_date").lt(sqlDate(last))));
    Dataset<Row> signups = broadcast(accounts.select(col("account_id").as("_acc"), col("signup_date")));

    // Last active day, first key-feature day and events per bucket, from the anchor on.
    Dataset<Row> recent = anchor.map(a -> usage.where(col("event_date").geq(sqlDate(a.asOfDate())))).orElse(usage);
    Dataset<Row> activity = recent.join(signups, recent.col("account_id").equalTo(col("_acc")), "left")
        .groupBy(col("account_id"), bucket(col("event_date"), dates).as("_d"))
        .agg(max(col("event_date")).as("_last"),
            min(when(value.and(col("event_date").geq(col("signup_date"))), col("event_date"))).as("_first_value"),
            sum(col("events")).cast("double").as("_events"),
            sum(when(key, col("events"))).cast("double").as("_key_events"));

    // Onboarding usage: only accounts whose onboarding window was still open at the anchor.
    Dataset<Row> early = usage;
    Column open = lit(true);
    if (anchor.isPresent()) {
      LocalDate from = anchor.get().asOfDate().minusDays(ONBOARDING_DAYS);
      early = early.where(col("event_date").geq(sqlDate(from)));
      open = col("signup_date").gt(sqlDate(from));
    }
    Dataset<Row> onboarding = early.join(signups, early.col("account_id").equalTo(col("_acc")))
        .where(open.and(col("event_date").geq(col("signup_date")))
            .and(col("event_date").lt(date_add(col("signup_date"), ONBOARDING_DAYS))))
        .drop("_acc", "signup_date");
    Dataset<Row> earlyEvents = onboarding
        .groupBy(col("account_id"), bucket(col("event_date"), dates).as("_d"))
        .agg(sum(col("events")).cast("double").as("_early_events"),
            count_distinct(col("event_date")).as("_early_days"),
            sum(when(key, col("events"))).cast("double").as("_early_key"));
    Dataset<Row> firstUses = onboarding.groupBy("account_id", "feature").agg(min(col("event_date")).as("_first"))
        .groupBy(col("account_id"), bucket(col("_first"), dates).as("_d"))
        .agg(count(lit(1)).as("_early_features"));

    Dataset<Row> steps = tagged(activity, 0)
        .unionByName(tagged(earlyEvents, 0), true)
        .unionByName(tagged(firstUses, 0), true);
    if (anchor.isPresent()) {
      Anchor a = anchor.get();
      LocalDate from = a.asOfDate().minusDays(ONBOARDING_DAYS);
      Dataset<Row> state = a.state().join(signups, a.state().col("account_id").equalTo(col("_acc")), "left");
      Column closed = col("signup_date").leq(sqlDate(from));
      steps = steps.unionByName(tagged(state.select(
          col("account_id"), lit(sqlDate(a.asOfDate())).as("_d"), col(LAST_ACTIVE).as("_last"),
          col(FIRST_VALUE).as("_first_value"),
          when(closed, col("early_events_14d")).as("_early_events"),
          when(closed, col("early_active_days_14d")).as("_early_days"),
          when(closed, col("early_features_14d")).as("_early_features"),
          when(closed, col("early_key_feature_events_14d")).as("_early_key"),
          col("lifetime_events").as("_events"), col("lifetime_key_feature_events").as("_key_events")), 0), true);
    }
    Dataset<Row> points = tagged(spine.select(col("account_id"), col("as_of_date").as("_d")), 1);
    WindowSpec upTo = Window.partitionBy("account_id").orderBy("_d", "_kind")
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    return steps.unionByName(points, true)
        .select(col("account_id"), col("_d"), col("_kind"),
            max(col("_last")).over(upTo).as(LAST_ACTIVE),
            min(col("_first_value")).over(upTo).as(FIRST_VALUE),
            sum(col("_early_events")).over(upTo).as("early_events_14d"),
            sum(col("_early_days")).over(upTo).as("early_active_days_14d"),
            sum(col("_early_features")).over(upTo).as("early_features_14d"),
            sum(col("_early_key")).over(upTo).as("early_key_feature_events_14d"),
            sum(col("_events")).over(upTo).as("lifetime_events"),
            sum(col("_key_events")).over(upTo).as("lifetime_key_feature_events"))
        .where(col("_kind").equalTo(1))
        .select(state(col("account_id"), col("_d").as("as_of_date")));
  }

  /** The key and {@link #STATE}, no value meaning never used: no date, nothing summed. */
  private static Column[] state(Column account, Column asOf) {
    return new Column[] {account, asOf, col(LAST_ACTIVE), col(FIRST_VALUE),
        coalesce(col("early_events_14d"), lit(0.0)).as("early_events_14d"),
        coalesce(col("early_active_days_14d"), lit(0L)).as("early_active_days_14d"),
        coalesce(col("early_features_14d"), lit(0L)).as("early_features_14d"),
        coalesce(col("early_key_feature_events_14d"), lit(0.0)).as("early_key_feature_events_14d"),
        coalesce(col("lifetime_events"), lit(0.0)).as("lifetime_events"),
        coalesce(col("lifetime_key_feature_events"), lit(0.0)).as("lifetime_key_feature_events")};
  }

  /** The first as-of date after {@code day} (days on or after the last date are never passed in). */
  static Column bucket(Column day, List<LocalDate> sortedDates) {
    Column out = null;
    for (LocalDate d : sortedDates) {
      Column cond = day.lt(sqlDate(d));
      out = out == null ? when(cond, sqlDate(d)) : out.when(cond, sqlDate(d));
    }
    return out;
  }

  private static Dataset<Row> tagged(Dataset<Row> rows, int kind) {
    return rows.withColumn("_kind", lit(kind));
  }

  static Column sqlDate(LocalDate d) {
    return lit(java.sql.Date.valueOf(d));
  }
}
