package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The churn model on examples whose true churn probability is known: falling usage and many
 * tickets raise it, the industry is noise.
 */
class ChurnModelTest extends SparkTestBase {

  private static final ChurnModelSettings SETTINGS = new ChurnModelSettings(90, 30, 12, 3, 0.01, 0.0, 0.30, 0.15, 2);
  private static final List<String> NUMERIC = List.of("events_28d", "tickets_90d", "mrr", "last_nps");
  private static final List<String> LOG = List.of("events_28d");
  private static final List<String> CATEGORICAL = List.of("industry");
  private static Dataset<Row> examples;

  @BeforeAll
  static void examplesWithKnownProbabilities() {
    // 12 monthly as-of dates × 400 accounts; p = logistic(-2 - 1.2·z(events) + 0.9·tickets).
    examples = spark().range(0, 4800, 1, 2).select(
            expr("concat('A', id % 400)").as("account_id"),
            expr("add_months(DATE'2024-01-01', CAST(id DIV 400 AS INT))").as("as_of_date"),
            expr("exp(2 + 1.2 * randn(7))").as("events_28d"),
            expr("CAST(floor(rand(8) * 4) AS BIGINT)").as("tickets_90d"),
            expr("50 + 100 * rand(9)").as("mrr"),
            expr("CASE WHEN rand(10) < 0.3 THEN NULL ELSE CAST(floor(rand(11) * 11) AS INT) END").as("last_nps"),
            expr("element_at(array('Retail', 'Media', 'Energy'), CAST(floor(rand(12) * 3) AS INT) + 1)").as("industry"))
        .withColumn("p", expr("1 / (1 + exp(-(-2 - 1.2 * (ln(events_28d) - 2) + 0.9 * tickets_90d)))"))
        .withColumn("churned", expr("rand(13) < p"))
        .cache();
  }

  @Test
  void backtestRanksChurnersNearlyAsWellAsTheTrueProbability() {
    List<LocalDate> dates = java.util.stream.IntStream.range(0, 12).mapToObj(i -> LocalDate.of(2024, 1, 1).plusMonths(i)).toList();
    ChurnModel.Backtest b = ChurnModel.backtest(examples, dates, NUMERIC, LOG, CATEGORICAL, SETTINGS, LocalDate.of(2025, 6, 1));
    Dataset<Row> test = examples.where(col("as_of_date").geq(java.sql.Date.valueOf(b.testDates().get(0))))
        .withColumn("label", when(col("churned"), 1.0).otherwise(0.0));
    double trueAuc = new BinaryClassificationEvaluator().setRawPredictionCol("p").evaluate(test);
    assertEquals(List.of(LocalDate.of(2024, 10, 1), LocalDate.of(2024, 11, 1), LocalDate.of(2024, 12, 1)), b.testDates());
    // Only as-of dates whose horizon and grace end before the first test date train the backtest model.
    assertEquals(dates.subList(0, 6), b.trainDates(), "2024-06-01 + 120 days ends before 2024-10-01");
    assertEquals(1200, b.testExamples());
    assertTrue(b.auc() > 0.95 * trueAuc, "backtest AUC " + b.auc() + " vs true " + trueAuc);
  }

  @Test
  void scoresCarryTierMrrAtRiskAndReasonsThatPointAtTheCause() {
    ChurnModel model = ChurnModel.fit(examples, NUMERIC, LOG, CATEGORICAL, SETTINGS, LocalDate.of(2025, 6, 1));
    Dataset<Row> scores = model.score(examples.where(col("as_of_date").equalTo(java.sql.Date.valueOf("2024-12-01")))
            .withColumn("lapsed", expr("account_id = 'A7'")))
        .cache();
    assertEquals(400, scores.count());
    assertEquals(List.of("A7"), scores.where(col("lapsed")).select("account_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList(), "lapsed is passed through");
    assertEquals(0, scores.where(expr("abs(mrr_at_risk - churn_probability * mrr) > 1e-9")).count());
    assertEquals(0, scores.where(expr("(churn_probability >= 0.30) <> (risk_tier = 'high')")).count());
    assertEquals(0, scores.where(expr("churn_probability >= 0.15 AND churn_probability < 0.30 AND risk_tier <> 'medium'"))
        .count());
    assertTrue(model.version().startsWith("logreg-2025-06-01-"));
    // The riskiest accounts are explained by low usage or many tickets, never by the noise industry.
    List<Row> top = scores.orderBy(col("churn_probability").desc()).limit(20).collectAsList();
    for (Row r : top) {
      List<String> reasons = r.getList(r.fieldIndex("top_reasons"));
      assertTrue(!reasons.isEmpty() && reasons.size() <= 2, reasons.toString());
      assertTrue(reasons.get(0).equals("events_28d low") || reasons.get(0).equals("tickets_90d high"), reasons.toString());
      assertTrue(reasons.stream().noneMatch(s -> s.startsWith("industry")), reasons.toString());
    }
  }

  @Test
  void backtestNeedsTrainingDatesBeforeTheTestWindow() {
    List<LocalDate> dates = List.of(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 2, 1), LocalDate.of(2024, 3, 1),
        LocalDate.of(2024, 4, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ChurnModel.backtest(examples, dates, NUMERIC, LOG, CATEGORICAL, SETTINGS, LocalDate.of(2025, 6, 1)));
    assertTrue(e.getMessage().startsWith("Cannot backtest the churn model"), e.getMessage());
  }

  @Test
  void settingsRejectInconsistentValues() {
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 3, 3, 0.01, 0, 0.3, 0.15, 3));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(90, 30, 12, 3, 0.01, 0, 0.2, 0.3, 3));
    assertThrows(IllegalArgumentException.class, () -> new ChurnModelSettings(0, 30, 12, 3, 0.01, 0, 0.3, 0.15, 3));
  }
}
