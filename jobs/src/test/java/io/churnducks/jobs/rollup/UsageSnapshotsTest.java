package io.churnducks.jobs.rollup;

import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stored usage indicators are plain Parquet vouched for by their log: a date is read back only
 * while the log lists it with the roll-ups' current content, so a crash between writing the values
 * and the log, or late events before the date, recompute it; the next night continues from the
 * stored date.
 */
class UsageSnapshotsTest extends SparkTestBase {

  private static final LocalDate START = LocalDate.parse("2024-01-10");
  private static final LocalDate D = LocalDate.parse("2024-05-01");
  private static final LocalDate NEXT = D.plusDays(1);
  private static final IndicatorSettings SETTINGS = IndicatorSettings.ofIntent(List.of("pricing_page"));

  private static Dataset<Row> featureDays;
  private static Dataset<Row> userDays;
  private static Dataset<Row> accounts;

  @BeforeAll
  static void usage() {
    Dataset<Row> events = spark().range(0, 2000).selectExpr(
        "concat('a', cast(id % 5 as string)) as account_id",
        "concat('u', cast(pmod(hash(id, 1), 4) as string)) as user_id",
        "concat('d', cast(pmod(hash(id, 2), 2) as string)) as device_id",
        "element_at(array('edit', 'export', 'view', 'pricing_page'), cast(1 + pmod(hash(id, 3), 4) as int)) as feature",
        "cast(date_add(date'" + START + "', pmod(hash(id, 4), 150)) as timestamp) as event_time",
        "cast(null as double) as quantity");
    featureDays = UsageRollup.featureDays(events).cache();
    userDays = UsageRollup.userDays(events, SETTINGS.nonUsageFeatures()).cache();
    accounts = events.selectExpr("account_id", "date'" + START + "' as signup_date").distinct().cache();
  }

  /** A roll-up log of every day of the history; {@code changed} has other content. */
  private static TreeMap<LocalDate, RollupLog.Entry> rollupLog(LocalDate changed) {
    TreeMap<LocalDate, RollupLog.Entry> log = new TreeMap<>();
    for (LocalDate day = START; day.isBefore(START.plusDays(150)); day = day.plusDays(1)) {
      log.put(day, new RollupLog.Entry(day, null, "rollup", day.equals(changed) ? 7 : 1, 1, 1, 0, NEXT));
    }
    return log;
  }

  private static UsageSnapshots.Ensured ensure(UsageSnapshots snapshots, List<LocalDate> dates,
      TreeMap<LocalDate, RollupLog.Entry> log, LocalDate runDate) {
    return snapshots.ensure(dates, accounts, featureDays, userDays, SETTINGS, log, runDate);
  }

  private static List<Row> sorted(Dataset<Row> values) {
    return values.orderBy("as_of_date", "account_id").collectAsList();
  }

  @Test
  void aDateIsReadBackOnlyWhileItsLogEntryVouchesForIt(@TempDir Path root) {
    Warehouse w = new Warehouse(spark(), root.toString());
    UsageSnapshots snapshots = new UsageSnapshots(spark(), w, "fp");
    TreeMap<LocalDate, RollupLog.Entry> log = rollupLog(null);

    UsageSnapshots.Ensured first = ensure(snapshots, List.of(D), log, D);
    assertEquals(List.of(D), first.computed());
    List<Row> values = sorted(first.values());
    assertEquals(5, values.size(), "every account has its values");
    UsageSnapshots.Ensured again = ensure(snapshots, List.of(D), log, D);
    assertEquals(List.of(), again.computed(), "a stored date is read back");
    assertEquals(values, sorted(again.values()));

    // A crash after the values were written, before the log was: the values are not trusted.
    w.drop(UsageSnapshots.LOG_TABLE);
    UsageSnapshots.Ensured afterCrash = ensure(snapshots, List.of(D), log, D);
    assertEquals(List.of(D), afterCrash.computed());
    assertEquals(values, sorted(afterCrash.values()), "recomputed once, not doubled");

    UsageSnapshots.Ensured next = ensure(snapshots, List.of(D, NEXT), log, NEXT);
    assertEquals(List.of(NEXT), next.computed(), "the next night computes its own date only");
    assertEquals(Optional.of(D), next.advancedFrom());
    assertEquals(values, sorted(next.values().where("as_of_date = date'" + D + "'")));

    // Late events change a day before D: both dates are computed again.
    UsageSnapshots.Ensured late = ensure(snapshots, List.of(D, NEXT), rollupLog(D.minusDays(3)), NEXT);
    assertEquals(List.of(D, NEXT), late.computed());
    assertEquals(10, late.values().count());

    assertFalse(w.isDelta("_state/usage_snapshots/fp"));
    assertFalse(w.isDelta(UsageSnapshots.LOG_TABLE));
    assertEquals(List.of(), w.deltaTables(), "no Delta commit per night under _state");
  }

  @Test
  void valuesAnOlderReleaseStoredAsDeltaAreDropped(@TempDir Path root) {
    Warehouse w = new Warehouse(spark(), root.toString());
    UsageSnapshots snapshots = new UsageSnapshots(spark(), w, "fp");
    Dataset<Row> old = spark().sql("select 'a0' as account_id, date'" + D + "' as as_of_date");
    w.replacePartitions("_state/usage_snapshots/v2", old, old.schema(), "as_of_date", List.of(D));
    assertTrue(w.isDelta("_state/usage_snapshots/v2"));
    ensure(snapshots, List.of(D), rollupLog(null), D);
    assertEquals(List.of("fp"), w.folders("_state/usage_snapshots"));
  }
}
