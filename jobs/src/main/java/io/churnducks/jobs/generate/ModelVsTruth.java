package io.churnducks.jobs.generate;

import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.nightly.ModelEvaluations;
import io.churnducks.models.churn.BinaryMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * How a run's churn scores compare with what a generated sample's hidden truth knows: the accounts
 * scored on a run date that the truth follows past it, ranked once by the product's probability and
 * once by the true probability, both against what really happened within the horizon.
 *
 * @param candidate    the model that scored the run (its pooled backtest row)
 * @param model        the product's probabilities against the real outcomes
 * @param truth        the true probabilities against the same outcomes (the best any model can do)
 * @param backtestAuc  what the run's pooled backtest said the AUC would be
 * @param backtestEce  the calibrated backtest's ECE (NaN with fewer than two usable folds)
 * @param expectedLiftRatio the top-decile lift ratio with the true probabilities as the outcomes (what the
 *                     real outcomes' lift ratio is on average, free of their sampling noise)
 */
public record ModelVsTruth(String candidate, BinaryMetrics model, BinaryMetrics truth, double backtestAuc,
    double backtestEce, double expectedLiftRatio) {

  /** Measures the scores of {@code runDate} in {@code warehouse} against the truth under {@code sampleDir}. */
  public static ModelVsTruth measure(SparkSession spark, String sampleDir, Warehouse warehouse, LocalDate runDate) {
    Dataset<Row> truth = spark.read().parquet(sampleDir + "/truth/churn_probabilities")
        .where(col("as_of_date").equalTo(lit(Date.valueOf(runDate))));
    Dataset<Row> joined = warehouse.read("churn_scores", runDate).join(truth, "account_id")
        .withColumn("label", when(col("churned_within_horizon"), 1.0).otherwise(0.0)).cache();
    try {
      BinaryMetrics model = BinaryMetrics.of(joined, "label", "churn_probability");
      BinaryMetrics best = BinaryMetrics.of(joined, "label", "true_churn_probability");
      double expectedLiftRatio = BinaryMetrics.expectedTopDecileLift(joined, "true_churn_probability",
          "churn_probability") / BinaryMetrics.expectedTopDecileLift(joined, "true_churn_probability",
          "true_churn_probability");
      Dataset<Row> chosen = warehouse.read("model_evaluations", runDate).where(col("chosen"));
      Row pooled = chosen.where(col("evaluation").equalTo(ModelEvaluations.POOLED)).first();
      Row calibrated = chosen.where(col("evaluation").equalTo(ModelEvaluations.CALIBRATED)).first();
      return new ModelVsTruth(pooled.getAs("candidate"), model, best, orNaN(pooled.getAs("roc_auc")),
          orNaN(calibrated.getAs("ece")), expectedLiftRatio);
    } finally {
      joined.unpersist();
    }
  }

  /** A metric of model_evaluations (null when undefined, e.g. a calibrated ECE from one fold). */
  private static double orNaN(Double v) {
    return v == null ? Double.NaN : v;
  }

  public double aucRatio() {
    return model.auc() / truth.auc();
  }

  public double liftRatio() {
    return model.topDecileLift() / truth.topDecileLift();
  }

  /** One line for logs and reports. */
  public String describe() {
    return String.format(Locale.ROOT, "%d accounts, churn rate %.3f; %s: AUC %.3f vs true %.3f (ratio %.3f), "
            + "top-decile lift %.2f vs true %.2f (ratio %.3f; expected %.3f), ECE %.3f (true %.3f); pooled backtest "
            + "AUC %.3f, calibrated backtest ECE %.3f", model.examples(), model.churnRate(), candidate, model.auc(),
        truth.auc(), aucRatio(), model.topDecileLift(), truth.topDecileLift(), liftRatio(), expectedLiftRatio,
        model.ece(), truth.ece(), backtestAuc, backtestEce);
  }
}
