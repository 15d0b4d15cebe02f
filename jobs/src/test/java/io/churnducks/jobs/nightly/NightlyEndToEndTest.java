package io.churnducks.jobs.nightly;

import io.churnducks.features.indicators.CustomerFeatures;
import io.churnducks.features.relevance.FeatureRetention;
import io.churnducks.features.relevance.IndicatorRelevance;
import io.churnducks.features.relevance.IndustryFocus;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import io.churnducks.features.validation.Quarantine;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.generate.GeneratorOptions;
import io.churnducks.jobs.generate.SampleCatalog;
import io.churnducks.jobs.generate.SampleDataGenerator;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.rollup.UsageRollupStage;
import io.churnducks.models.churn.ChurnScores;
import io.churnducks.models.churn.RiskList;
import io.churnducks.models.segments.CustomerSegments;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one end-to-end test: generate a small messy sample with hidden truth, run the nightly job on
 * its cutoff, and check the warehouse against the truth and against an independent engine.
 */
class NightlyEndToEndTest extends SparkTestBase {

  @TempDir
  static Path tmp;

  static String sampleDir;
  static String warehouseRoot;
  static LocalDate cutoff;
  static NightlyJob.Result result;
  static Warehouse warehouse;

  @BeforeAll
  static void runNightlyOnGeneratedData() {
    // Unit tests run interpreted on two partitions (tiny frames); this test moves a million rows.
    SparkSessions.configure(spark(), 8);
    spark().conf().set("spark.sql.codegen.wholeStage", "true");
    spark().conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    sampleDir = tmp.resolve("sample").toString();
    warehouseRoot = tmp.resolve("warehouse").toString();
    GeneratorOptions options = new GeneratorOptions(1200, LocalDate.of(2024, 1, 1), 20, 20261125L, sampleDir,
        "csv", 0.004, 90, 30);
    cutoff = SampleDataGenerator.run(spark(), options).cutoff();
    ChurnConfig config = ChurnConfig.load(new File("../conf/demo.conf"), List.of(
        "sample.dir=" + sampleDir, "warehouse=" + warehouseRoot));
    result = new NightlyJob(spark(), config, cutoff).run();
    warehouse = new Warehouse(spark(), warehouseRoot);
  }

  @Test
  void everyTableExistsWithItsDeclaredSchema() {
    Map<String, StructType> declared = Map.of(
        "dq_quarantine", Quarantine.SCHEMA,
        "customer_features", CustomerFeatures.SCHEMA,
        "customer_segments", CustomerSegments.SCHEMA,
        "churn_scores", ChurnScores.SCHEMA,
        "churn_risk_list", RiskList.SCHEMA,
        "model_evaluations", ModelEvaluations.SCHEMA,
        "indicator_relevance", IndicatorRelevance.SCHEMA,
        "industry_focus", IndustryFocus.SCHEMA,
        "feature_retention", FeatureRetention.SCHEMA,
        "run_manifest", RunManifest.SCHEMA);
    declared.forEach((table, schema) -> {
      Dataset<Row> stored = warehouse.read(table, cutoff);
      assertEquals(describe(schema) + ", run_date date", describe(stored.schema()), table);
      assertTrue(stored.count() > 0, table + " has rows for " + cutoff);
    });
    assertTrue(new File(result.riskListCsv()).isFile(), "risk list CSV exported");
  }

  @Test
  void quarantineCountsEqualTheInjectedViolations() {
    Map<String, Long> expected = counts(spark().read().parquet(sampleDir + "/truth/quarantine_expected")
        .where(col("rows").gt(0)).select(col("source"), col("rule"), col("action"), col("rows")));
    // Reference sources are quarantined per run; usage events with the event date they were rolled up for.
    Dataset<Row> all = warehouse.read("dq_quarantine", cutoff).select("source", "rule", "action")
        .unionByName(spark().read().parquet(warehouse.tablePath(UsageRollupStage.QUARANTINE))
            .select("source", "rule", "action"));
    Map<String, Long> actual = counts(all.groupBy("source", "rule", "action").agg(count(lit(1)).as("rows")));
    assertEquals(expected, actual);
  }

  @Test
  void modelRanksRealChurnAlmostAsWellAsTheTrueProbabilities() {
    Dataset<Row> truth = spark().read().parquet(sampleDir + "/truth/churn_probabilities")
        .where(col("as_of_date").equalTo(lit(java.sql.Date.valueOf(cutoff))));
    Dataset<Row> joined = warehouse.read("churn_scores", cutoff).join(truth, "account_id")
        .withColumn("label", when(col("churned_within_horizon"), 1.0).otherwise(0.0)).cache();
    long accounts = joined.count();
    long churners = joined.where(col("label").equalTo(1.0)).count();
    assertTrue(accounts > 500 && churners >= 30, "enough scored accounts (" + accounts + ") and churners (" + churners + ")");
    double modelAuc = auc(joined, "churn_probability");
    double trueAuc = auc(joined, "true_churn_probability");
    System.out.printf("end-to-end: %d accounts, %d churners, model AUC %.3f, true-probability AUC %.3f, ratio %.3f%n",
        accounts, churners, modelAuc, trueAuc, modelAuc / trueAuc);
    assertTrue(modelAuc >= 0.85 * trueAuc, "model AUC " + modelAuc + " >= 0.85 x true AUC " + trueAuc);
  }

  @Test
  void indicatorsThatDriveTheHazardArePredictiveAndNoiseIsNoise() {
    Map<String, String> verdict = new HashMap<>();
    for (Row r : warehouse.read("indicator_relevance", cutoff).collectAsList()) {
      verdict.put(r.getAs("indicator"), r.getAs("verdict"));
    }
    assertEquals(CustomerFeatures.numericIndicators().size() + CustomerFeatures.categoricalIndicators().size(),
        verdict.size(), "every indicator is judged");
    // Usage falling with engagement raises the generator's hazard; the billing country is drawn independently.
    for (String driver : List.of("events_28d", "active_days_28d", "early_events_14d")) {
      assertEquals(IndicatorRelevance.PREDICTIVE, verdict.get(driver), driver + " drives churn: " + verdict);
    }
    assertEquals(IndicatorRelevance.NOISE, verdict.get("country"), "country is noise: " + verdict);
  }

  @Test
  void theGeneratorsHighRetentionFeaturesAndTheirThresholdAreFound() {
    Dataset<Row> table = warehouse.read("feature_retention", cutoff);
    table.drop("run_date").orderBy(col("retention_lift").desc_nulls_last()).show(20, false);
    List<String> keys = table.where(col("key").and(col("feature").startsWith("key features").unary_$bang()))
        .select("feature").orderBy("feature").collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(SampleCatalog.KEY_FEATURES.stream().sorted().toList(), keys, "key features");
    Row together = table.where(col("feature").startsWith("key features")).first();
    int threshold = together.getAs("best_threshold");
    assertTrue(Math.abs(threshold - SampleCatalog.EARLY_ADOPTION_MIN_USES) <= 0.2 * SampleCatalog.EARLY_ADOPTION_MIN_USES,
        "threshold " + threshold + " within 20% of " + SampleCatalog.EARLY_ADOPTION_MIN_USES);
  }

  @Test
  void lapsedAccountsAreScoredAndHeadTheRiskList() {
    Dataset<Row> scores = warehouse.read("churn_scores", cutoff);
    Dataset<Row> list = warehouse.read("churn_risk_list", cutoff);
    long lapsed = scores.where(col("lapsed")).count();
    assertTrue(lapsed > 0, "some accounts lapsed within the grace period before " + cutoff);
    assertEquals(lapsed, list.where(col("lapsed")).count(), "every lapsed account is listed");
    assertEquals(lapsed, list.where(col("lapsed").and(col("rank").leq(lapsed))).count(), "lapsed accounts rank first");
    assertEquals(0, scores.where(col("lapsed").and(col("mrr").leq(0))).count(),
        "a lapsed account is valued at the subscription it lapsed from");
  }

  @Test
  void rerunningTheSameDateReplacesItsPartition() {
    Dataset<Row> before = warehouse.read("churn_scores", cutoff).drop("run_date").cache();
    long rows = before.count();
    ChurnConfig config = ChurnConfig.load(new File("../conf/demo.conf"), List.of(
        "sample.dir=" + sampleDir, "warehouse=" + warehouseRoot));
    new NightlyJob(spark(), config, cutoff).run();
    Dataset<Row> after = warehouse.read("churn_scores", cutoff).drop("run_date");
    assertEquals(rows, after.count());
    assertEquals(0, before.drop("top_reasons").except(after.drop("top_reasons")).count(), "same scores after rerun");
    assertEquals(rows, after.select("account_id").distinct().count());
  }

  @Test
  void tooManyRejectedRowsFailTheRunWithOneMessageAndKeepTheQuarantine() {
    String root = tmp.resolve("strict-warehouse").toString();
    ChurnConfig strict = ChurnConfig.load(new File("../conf/demo.conf"), List.of(
        "sample.dir=" + sampleDir, "warehouse=" + root, "validation.max-rejected-share=0.01"));
    ContractException e = assertThrows(ContractException.class, () -> new NightlyJob(spark(), strict, cutoff).run());
    String m = e.getMessage();
    assertTrue(m.startsWith("Cannot run " + cutoff + ": source ") || m.startsWith("Cannot roll up usage_events "), m);
    assertTrue(m.contains(" rejected ") && m.contains("threshold 1.0%"), m);
    assertTrue(m.matches("(?s).*(duplicate_key|unknown_account|wrong_type|unparseable_date|missing_required)"
        + " in [a-z_]+.*"), "the message names the rule and the source column: " + m);
    assertTrue(m.contains("(rejected rows are in dq_quarantine run_date=" + cutoff + ")")
        || m.contains("(rejected rows are in usage_quarantine"), m);
    Warehouse w = new Warehouse(spark(), root);
    assertTrue(w.read("dq_quarantine", cutoff).count() > 0
        || spark().read().parquet(w.tablePath(UsageRollupStage.QUARANTINE)).count() > 0, "quarantine written before failing");
    assertEquals(1, w.read("run_manifest", cutoff).where(col("status").equalTo("failed")
        .and(col("stage").equalTo("run"))).count());
  }

  @Test
  void indicatorsAgreeWithAnIndependentDuckDbComputation() throws Exception {
    String events = sampleDir + "/product_events/*.csv";
    String features = warehouseRoot + "/customer_features/*/*.parquet";
    String sql = """
        WITH ev AS (
          SELECT DISTINCT message_id, org_id, user_key, event,
                 CAST(epoch_ms(CAST(timestamp AS BIGINT)) AS DATE) AS day
          FROM read_csv('%s', header=true, all_varchar=true)
          WHERE event NOT IN ('pricing_page', 'upgrade_click')),
        win AS (
          SELECT org_id AS account_id, count(*) AS events_28d, count(DISTINCT user_key) AS active_users_28d,
                 count(DISTINCT day) AS active_days_28d
          FROM ev WHERE day >= DATE '%s' - INTERVAL 28 DAY AND day < DATE '%s'
          GROUP BY org_id),
        f AS (SELECT account_id, events_28d, active_users_28d, active_days_28d FROM read_parquet('%s'))
        SELECT count(*) AS compared,
               sum(CASE WHEN f.events_28d = coalesce(win.events_28d, 0)
                         AND f.active_users_28d = coalesce(win.active_users_28d, 0)
                         AND f.active_days_28d = coalesce(win.active_days_28d, 0) THEN 1 ELSE 0 END) AS agreeing
        FROM f LEFT JOIN win USING (account_id)
        """.formatted(events, cutoff, cutoff, features);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      long compared = rs.getLong(1);
      assertTrue(compared > 500, "compared " + compared + " accounts");
      assertEquals(compared, rs.getLong(2), "accounts whose usage indicators agree with DuckDB");
    }
  }

  private static double auc(Dataset<Row> scored, String score) {
    return new BinaryClassificationEvaluator().setLabelCol("label").setRawPredictionCol(score)
        .setMetricName("areaUnderROC").evaluate(scored);
  }

  private static Map<String, Long> counts(Dataset<Row> sourceRuleActionRows) {
    Map<String, Long> out = new HashMap<>();
    for (Row r : sourceRuleActionRows.collectAsList()) {
      out.put(r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2), r.getLong(3));
    }
    return out;
  }

  private static String describe(StructType s) {
    StringBuilder b = new StringBuilder();
    for (StructField f : s.fields()) {
      b.append(b.length() > 0 ? ", " : "").append(f.name()).append(' ').append(f.dataType().simpleString());
    }
    return b.toString();
  }
}
