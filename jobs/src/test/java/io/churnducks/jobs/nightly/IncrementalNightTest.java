package io.churnducks.jobs.nightly;

import io.churnducks.features.indicators.UsageRollup;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.generate.EventsByDate;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.rollup.RollupLog;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental = full: a warehouse that ran the night before the cutoff (without the last day of
 * events, which had not landed yet) and then the cutoff night holds exactly the roll-ups, rejects
 * and features of a fresh warehouse that ran the cutoff night alone over the whole history. The
 * second night rolls up only the new day plus the late-arrival window, and computes usage
 * indicators for tonight only.
 */
class IncrementalNightTest extends SparkTestBase {

  @TempDir
  static Path tmp;

  static LocalDate cutoff;
  static Warehouse incremental;
  static Warehouse full;

  @BeforeAll
  static void runTwoNightsAndOneFullNight() throws Exception {
    SparkSessions.configure(spark(), 4);
    spark().conf().set("spark.sql.codegen.wholeStage", "true");
    spark().conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    String sample = tmp.resolve("sample").toString();
    GeneratorOptions options = new GeneratorOptions(400, LocalDate.of(2024, 1, 1), 10, 99L, sample, "parquet",
        0.004, 90, 30);
    cutoff = SampleDataGenerator.run(spark(), options).cutoff();
    EventsByDate.rewrite(spark(), options);

    incremental = new Warehouse(spark(), tmp.resolve("incremental").toString());
    full = new Warehouse(spark(), tmp.resolve("full").toString());
    Path lastDay = Path.of(sample, "product_events", "event_date=" + cutoff.minusDays(1));
    Path held = tmp.resolve("held");
    assertTrue(Files.isDirectory(lastDay), "the generator wrote the last day's events to " + lastDay);
    Files.move(lastDay, held);
    // The stages that roll up and compute indicators: what incremental and full runs must agree on.
    java.util.Set<NightlyJob.Stage> upToFeatures = java.util.EnumSet.of(NightlyJob.Stage.validate,
        NightlyJob.Stage.features);
    new NightlyJob(spark(), config(sample, incremental.root()), cutoff.minusDays(1)).run(upToFeatures);
    Files.move(held, lastDay);
    new NightlyJob(spark(), config(sample, incremental.root()), cutoff).run(upToFeatures);
    new NightlyJob(spark(), config(sample, full.root()), cutoff).run(upToFeatures);
  }

  private static ChurnConfig config(String sample, String warehouse) {
    List<String> overrides = new ArrayList<>(List.of("sample.dir=" + sample, "warehouse=" + warehouse,
        "model.training-months=6", "model.backtest-folds=1", "model.candidates=[{type=logistic-regression}]", "rollup.chunk-days=60"));
    for (String t : List.of("accounts", "subscriptions", "invoices", "usage_events", "support_tickets", "surveys")) {
      overrides.add("sources." + t + ".format=parquet");
    }
    return ChurnConfig.load(new File("../conf/demo.conf"), overrides);
  }

  @Test
  void theSecondNightHasTheFeaturesOfAFullRun() {
    Dataset<Row> a = incremental.read("customer_features", cutoff).orderBy("account_id");
    Dataset<Row> b = full.read("customer_features", cutoff).orderBy("account_id");
    assertTrue(b.count() > 100, "the full run scored " + b.count() + " accounts");
    assertFramesApproximatelyEqual(b, a);
  }

  @Test
  void theRollUpsAndRejectsAreThoseOfAFullRun() {
    for (String table : List.of(UsageRollupStage.FEATURE_DAYS, UsageRollupStage.USER_DAYS,
        UsageRollupStage.QUARANTINE)) {
      Dataset<Row> a = incremental.readAll(table);
      Dataset<Row> b = full.readAll(table);
      assertEquals(b.count(), a.count(), table + " rows");
      assertEquals(0, b.exceptAll(a).count(), table + " rows of the full run missing from the incremental one");
    }
    assertTrue(full.readAll(UsageRollupStage.QUARANTINE).count() > 0,
        "the messy sample has rejected events, so the rejects are compared too");
  }

  @Test
  void theSecondNightRollsUpOnlyTheNewDayAndTheLateWindow() {
    List<LocalDate> redone = new ArrayList<>();
    RollupLog.read(incremental, spark()).values().forEach(e -> {
      if (e.runDate().equals(cutoff)) {
        redone.add(e.eventDate());
      }
    });
    assertEquals(List.of(cutoff.minusDays(4), cutoff.minusDays(3), cutoff.minusDays(2), cutoff.minusDays(1)), redone);
  }

  @Test
  void theSecondNightComputesUsageIndicatorsForTonightOnly() {
    Dataset<Row> log = incremental.readAll("_state/usage_snapshot_log")
        .where(col("run_date").equalTo(lit(java.sql.Date.valueOf(cutoff))));
    assertEquals(List.of(java.sql.Date.valueOf(cutoff)),
        log.select("as_of_date").collectAsList().stream().map(r -> r.getDate(0)).toList());
    // ... by advancing the first night's usage windows by one day, not from 90 days of roll-ups
    String note = incremental.read("run_manifest", cutoff)
        .where(col("stage").equalTo("features").and(col("subject").equalTo("usage_indicators")))
        .select("message").first().getString(0);
    assertTrue(note.contains("usage windows advanced from " + cutoff.minusDays(1)), note);
  }

  @Test
  void rollUpsArePartitionedByEventDate() {
    Dataset<Row> days = full.readAll(UsageRollupStage.FEATURE_DAYS);
    assertEquals(UsageRollup.FEATURE_DAYS_SCHEMA.fieldNames().length, days.columns().length);
    assertTrue(new File(full.tablePath(UsageRollupStage.FEATURE_DAYS), "event_date=" + cutoff.minusDays(1)).isDirectory());
  }
}
