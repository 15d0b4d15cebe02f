package io.churnducks.jobs.rollup;

import io.churnducks.features.indicators.AccountUsageWindows;
import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.indicators.UsageFrequencyIndicators;
import io.churnducks.features.indicators.UsageHistory;
import io.churnducks.features.indicators.UsageIndicators;
import io.churnducks.features.indicators.UsageWindows;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.churnducks.features.contract.Schemas.field;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * Usage indicators stored per as-of date ({@code _state/usage_snapshots/<fingerprint>/as_of_date=D}),
 * for every account, so training reads the month-starts it needs instead of recomputing them, and
 * a night computes only tonight's values, continuing from the latest stored date
 * ({@link UsageHistory.Anchor}).
 *
 * <p>The values and their log are plain Parquet, written data first, log second: a date is
 * trusted only when the log lists it, so a crash between the two recomputes it rather than reading
 * it half written (a Delta commit per night cost more than computing tonight's values at 10,000
 * accounts). A failed run does not roll them back with its tables, and needs not: a date stays in
 * use exactly while the roll-ups before it hold the content it was computed from.
 *
 * <p>A stored date is used only while it is still true: its fingerprint (indicator catalogue,
 * intent events, roll-up fingerprint) is tonight's, and the roll-ups of every event date before
 * it still have the content they had when it was computed ({@link RollupLog#digestBefore}). Late
 * events that change an old date therefore recompute the stored dates after it; a config change
 * computes everything under a new fingerprint.
 */
public final class UsageSnapshots {

  private static final Logger LOG = LoggerFactory.getLogger(UsageSnapshots.class);

  static final String LOG_TABLE = "_state/usage_snapshot_log";

  /** Usage indicators per as-of date, one folder per fingerprint. */
  private static final String VALUES = "_state/usage_snapshots/";

  /**
   * Usage windows per account ({@link AccountUsageWindows}) of the latest dates, with the sums of
   * their windowed indicators; one folder per fingerprint and date.
   */
  private static final String WINDOWS = "_state/usage_windows_packed/";

  /** Where an earlier release kept them, nested ({@link AccountUsageWindows#STATE_SCHEMA}); removed. */
  private static final String NESTED_WINDOWS = "_state/usage_windows";

  private static final int WINDOWS_KEPT = 3;

  static final StructType LOG_SCHEMA = new StructType(new StructField[] {
      field("fingerprint", StringType, false, "Indicator catalogue and settings the values were computed with."),
      field("as_of_date", DateType, false, "As-of date of the stored values."),
      field("rollup_digest", StringType, false, "Content of the roll-ups before the as-of date when computed."),
      field("accounts", LongType, false, "Accounts stored."),
      field("run_date", DateType, false, "Run that computed them."),
  });

  private final SparkSession spark;
  private final Warehouse warehouse;
  private final String fingerprint;
  private final String table;
  private final StructType schema;

  /**
   * @param fingerprint hash of everything the usage indicators depend on besides the roll-ups
   */
  public UsageSnapshots(SparkSession spark, Warehouse warehouse, String fingerprint) {
    this.spark = spark;
    this.warehouse = warehouse;
    this.fingerprint = fingerprint;
    this.table = VALUES + fingerprint;
    List<StructField> fields = new ArrayList<>();
    fields.add(field("account_id", StringType, true, "Account identifier."));
    for (String c : UsageIndicators.COLUMNS) {
      fields.add(isState(c) ? field(c, DateType, true, "State carried to the next as-of date (UsageHistory).")
          : CustomerFeatures.SCHEMA.apply(c));
    }
    fields.add(field("as_of_date", DateType, true, "As-of date of the values."));
    this.schema = new StructType(fields.toArray(StructField[]::new));
  }

  /** Fingerprint of the usage catalogue: its columns and types, the indicator settings and the roll-ups'. */
  public static String fingerprint(IndicatorSettings settings, String rollupFingerprint) {
    // 3: stored as plain Parquet (2 was a Delta table, whose log a new night no longer reads).
    StringBuilder b = new StringBuilder("usage-indicators-3|");
    for (String c : UsageIndicators.COLUMNS) {
      b.append(c).append(':').append(isState(c) ? "date" : CustomerFeatures.SCHEMA.apply(c).dataType().simpleString())
          .append(',');
    }
    b.append('|').append(settings.fingerprint()).append('|').append(rollupFingerprint);
    return UsageRollupStage.sha(b.toString());
  }

  /**
   * The usage indicators of every account on each of {@code dates}: read where stored and still
   * valid, computed (and stored) otherwise.
   *
   * @param accounts    clean accounts ({@code account_id, signup_date})
   * @param featureDays the {@code usage_feature_days} table
   * @param userDays    the {@code usage_user_days} table
   * @param rollupLog   the roll-up log as of now
   * @return the values ({@code account_id, as_of_date} + {@link UsageIndicators#COLUMNS}) of
   *     {@code dates}, read from storage, and the dates computed for them
   */
  public Ensured ensure(List<LocalDate> dates, Dataset<Row> accounts, Dataset<Row> featureDays,
      Dataset<Row> userDays, IndicatorSettings settings, Map<LocalDate, RollupLog.Entry> rollupLog,
      LocalDate runDate) {
    TreeMap<LocalDate, String> stored = storedDates();
    TreeMap<LocalDate, String> valid = new TreeMap<>();
    stored.forEach((d, digest) -> {
      if (digest.equals(RollupLog.digestBefore(rollupLog, d))) {
        valid.put(d, digest);
      }
    });
    List<LocalDate> missing = dates.stream().distinct().sorted().filter(d -> !valid.containsKey(d)).toList();
    Optional<LocalDate> advancedFrom = Optional.empty();
    if (!missing.isEmpty()) {
      LocalDate anchorDate = valid.lowerKey(missing.get(0));
      Optional<UsageHistory.Anchor> anchor = Optional.ofNullable(anchorDate).map(a -> new UsageHistory.Anchor(a,
          read(List.of(a)).select("account_id", UsageHistory.STATE.toArray(String[]::new))));
      long t = System.nanoTime();
      Dataset<Row> spine = accounts.select("account_id").distinct()
          .crossJoin(io.churnducks.features.labels.AsOfCalendar.frame(spark, missing));
      Windows windows = windows(missing, anchor, spine, accounts, featureDays, userDays, settings);
      advancedFrom = windows.advancedFrom();
      pruneWindows();
      dropDeltaFingerprints();
      double windowSeconds = (System.nanoTime() - t) / 1e9;
      Dataset<Row> computed = windows.indicators();
      List<String> order = new ArrayList<>();
      for (StructField f : schema.fields()) {
        order.add(f.name());
      }
      warehouse.replaceStatePartitions(table, computed.select(order.stream().map(c -> col(c)).toArray(
          org.apache.spark.sql.Column[]::new)), schema, "as_of_date", missing);
      double writeSeconds = (System.nanoTime() - t) / 1e9 - windowSeconds;
      long accountsStored = accounts.count();
      List<Row> entries = new ArrayList<>();
      for (Row r : warehouse.readAll(LOG_TABLE, LOG_SCHEMA).collectAsList()) {
        LocalDate d = r.getDate(1).toLocalDate();
        if (!(r.getString(0).equals(fingerprint) && missing.contains(d))) {
          entries.add(r);
        }
      }
      for (LocalDate d : missing) {
        entries.add(RowFactory.create(fingerprint, Date.valueOf(d), RollupLog.digestBefore(rollupLog, d),
            accountsStored, Date.valueOf(runDate)));
      }
      warehouse.overwriteState(LOG_TABLE, spark.createDataFrame(entries, LOG_SCHEMA), LOG_SCHEMA);
      LOG.info(String.format(Locale.ROOT, "Usage indicators computed for %d as-of dates %s (continuing from %s; "
              + "windows %s): %.1fs (windows %.1fs, indicators %.1fs)",
          missing.size(), missing.size() > 3 ? missing.get(0) + ".." + missing.get(missing.size() - 1) : missing,
          anchorDate == null ? "the whole history" : anchorDate,
          advancedFrom.map(d -> "advanced from " + d).orElse("built from 90 days of roll-ups"),
          (System.nanoTime() - t) / 1e9, windowSeconds, writeSeconds));
    }
    return new Ensured(read(dates), missing, advancedFrom);
  }

  /**
   * @param values       the usage indicators of the dates asked for
   * @param computed     the dates that were computed (not stored, or no longer valid)
   * @param advancedFrom the date whose stored usage windows were advanced to the one computed date;
   *                     empty when the windows were built from the roll-ups (or nothing was computed)
   */
  public record Ensured(Dataset<Row> values, List<LocalDate> computed, Optional<LocalDate> advancedFrom) {}

  /**
   * @param indicators   the usage indicators of the spine
   * @param advancedFrom the date whose stored windows were advanced; empty when built from the roll-ups
   */
  private record Windows(Dataset<Row> indicators, Optional<LocalDate> advancedFrom) {}

  /**
   * The usage indicators of the missing dates: one date at most
   * {@value AccountUsageWindows#MAX_STEP_DAYS} days after an anchor whose windows are stored advances them,
   * account by account ({@link AccountUsageWindows}); otherwise they are built from the roll-ups.
   * The last date's windows are stored for the next night, with the sums its indicators are made of
   * and, when advanced, the running values continued from the anchor's and every account's row:
   * the indicators are then read from that row alone.
   */
  private Windows windows(List<LocalDate> missing, Optional<UsageHistory.Anchor> anchor, Dataset<Row> spine,
      Dataset<Row> accounts, Dataset<Row> featureDays, Dataset<Row> userDays, IndicatorSettings settings) {
    LocalDate anchorDate = anchor.map(UsageHistory.Anchor::asOfDate).orElse(null);
    LocalDate last = missing.get(missing.size() - 1);
    // Stored windows of a date being recomputed were computed from roll-ups that have changed.
    missing.forEach(d -> warehouse.drop(windowsFolder(d)));
    Optional<Dataset<Row>> before = missing.size() == 1 && anchorDate != null
        && !anchorDate.plusDays(AccountUsageWindows.MAX_STEP_DAYS).isBefore(last)
        ? storedWindows(anchorDate) : Optional.empty();
    Dataset<Row> lastStored;
    if (before.isPresent()) {
      Dataset<Row> anchored = accounts.select("account_id", "signup_date").join(anchor.get().state(),
          new String[] {"account_id"}, "left");
      lastStored = warehouse.stage(windowsFolder(last), AccountUsageWindows.advance(before.get(),
          Optional.of(anchored), anchorDate, last, featureDays, userDays, settings));
    } else {
      UsageWindows.State built = UsageIndicators.windows(
          spine.where(col("as_of_date").equalTo(lit(Date.valueOf(last)))), featureDays, userDays, last, last);
      lastStored = warehouse.stage(windowsFolder(last),
          AccountUsageWindows.measure(AccountUsageWindows.nest(built), last, settings));
    }
    if (before.isPresent()) {
      return new Windows(UsageIndicators.advanced(lastStored, settings), Optional.of(anchorDate));
    }
    Dataset<Row> windowed;
    if (missing.size() > 1) {
      windowed = UsageFrequencyIndicators.apply(spine,
          UsageIndicators.windows(spine, featureDays, userDays, missing.get(0), last), settings);
    } else {
      List<String> sums = new ArrayList<>(List.of("as_of_date"));
      sums.addAll(List.of(AccountUsageWindows.AGGREGATES.fieldNames()));
      windowed = UsageFrequencyIndicators.finish(spine, settings,
          lastStored.select("account_id", sums.toArray(String[]::new)));
    }
    return new Windows(UsageIndicators.complete(spine, missing, windowed, featureDays, accounts, settings, anchor),
        Optional.empty());
  }

  /** Folder of the usage windows stored for a date, under this fingerprint. */
  private String windowsFolder(LocalDate date) {
    return WINDOWS + fingerprint + "/" + date;
  }

  /** The usage windows stored for a date, when they were written completely. */
  private Optional<Dataset<Row>> storedWindows(LocalDate date) {
    if (!warehouse.exists(windowsFolder(date) + "/_SUCCESS")) {
      return Optional.empty();
    }
    return Optional.of(spark.read().schema(AccountUsageWindows.PACKED_SCHEMA)
        .parquet(warehouse.tablePath(windowsFolder(date))));
  }

  /**
   * Keeps the windows of the latest {@value #WINDOWS_KEPT} dates: a night advances from the one before it
   * (and removes the nested windows of an earlier release).
   */
  private void pruneWindows() {
    warehouse.drop(NESTED_WINDOWS);
    List<String> dates = warehouse.folders(WINDOWS + fingerprint);
    for (String d : dates.subList(0, Math.max(0, dates.size() - WINDOWS_KEPT))) {
      warehouse.drop(WINDOWS + fingerprint + "/" + d);
    }
  }

  /**
   * Removes the values and windows an older release stored as Delta tables: their fingerprints
   * (version 2) never match a fingerprint of this release, so nothing reads them again.
   */
  private void dropDeltaFingerprints() {
    for (String fp : warehouse.folders(VALUES)) {
      if (warehouse.isDelta(VALUES + fp)) {
        warehouse.drop(VALUES + fp);
        warehouse.drop(WINDOWS + fp);
      }
    }
  }

  private static boolean isState(String column) {
    return column.equals(UsageHistory.LAST_ACTIVE) || column.equals(UsageHistory.FIRST_VALUE);
  }

  /** Stored dates of this fingerprint and their roll-up digests. */
  private TreeMap<LocalDate, String> storedDates() {
    TreeMap<LocalDate, String> out = new TreeMap<>();
    for (Row r : warehouse.readAll(LOG_TABLE, LOG_SCHEMA).where(col("fingerprint").equalTo(lit(fingerprint)))
        .collectAsList()) {
      out.put(r.getDate(1).toLocalDate(), r.getString(2));
    }
    return out;
  }

  private Dataset<Row> read(List<LocalDate> dates) {
    return warehouse.readAll(table, schema)
        .where(col("as_of_date").isin(dates.stream().map(Date::valueOf).toArray()));
  }
}
