package io.churnducks.models.churn;

import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * How well churn probabilities rank and match what happened, computed on the cluster (only
 * aggregates reach the driver).
 *
 * @param examples        scored examples
 * @param churnRate       share of them that churned
 * @param auc             ROC AUC; NaN when the examples hold one class only
 * @param prAuc           area under the precision-recall curve; NaN with one class
 * @param logLoss         mean negative log-likelihood (probabilities clipped to [1e-6, 1 - 1e-6])
 * @param brier           mean squared error of the probability
 * @param ece             expected calibration error: over 10 equal-width probability bins, the
 *                        example-weighted mean |mean probability - churn rate|
 * @param topDecileLift   churn rate of the 10 % highest scores ÷ the overall churn rate (ties at
 *                        the cut share the remaining places); NaN without churners
 * @param topDecileRecall share of all churners among the 10 % highest scores; NaN without churners
 * @param calibration     the 10 bins behind {@code ece} (empty bins left out)
 */
public record BinaryMetrics(long examples, double churnRate, double auc, double prAuc, double logLoss, double brier,
    double ece, double topDecileLift, double topDecileRecall, List<Bin> calibration) {

  /** One probability bin: its examples, their mean probability and their churn rate. */
  public record Bin(int bin, long examples, double meanProbability, double churnRate) {}

  private static final int BINS = 10;
  private static final double EPS = 1e-6;

  /** Metrics of no examples: every value NaN. */
  public static BinaryMetrics undefined() {
    return new BinaryMetrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, List.of());
  }

  /** True when both churners and stayers are present, so ranking metrics are defined. */
  public boolean ranks() {
    return !Double.isNaN(auc);
  }

  /**
   * @param frame       frame with the label and the probability
   * @param label       column holding 1.0 (churned) or 0.0
   * @param probability column holding the churn probability in [0, 1]
   */
  public static BinaryMetrics of(Dataset<Row> frame, String label, String probability) {
    Dataset<Row> scored = frame.withColumn(label, col(label).cast("double"))
        .withColumn(probability, col(probability).cast("double"));
    Column y = col(label);
    Column p = least(greatest(col(probability), lit(EPS)), lit(1 - EPS));
    Row totals = scored.agg(count(lit(1)), sum(y), avg(y.multiply(log(p)).plus(lit(1).minus(y).multiply(log(lit(1).minus(p))))
        .multiply(-1)), avg(pow(col(probability).minus(y), 2))).first();
    long n = totals.getLong(0);
    if (n == 0) {
      return undefined();
    }
    double churners = totals.getDouble(1);
    double rate = churners / n;
    List<Bin> bins = new ArrayList<>();
    double ece = 0;
    for (Row r : scored.groupBy(least(floor(col(probability).multiply(BINS)), lit(BINS - 1)).cast("int").as("bin"))
        .agg(count(lit(1)), avg(col(probability)), avg(y)).orderBy("bin").collectAsList()) {
      Bin b = new Bin(r.getInt(0), r.getLong(1), r.getDouble(2), r.getDouble(3));
      bins.add(b);
      ece += (double) b.examples() / n * Math.abs(b.meanProbability() - b.churnRate());
    }
    boolean bothClasses = churners > 0 && churners < n;
    double auc = Double.NaN;
    double prAuc = Double.NaN;
    if (bothClasses) {
      BinaryClassificationEvaluator evaluator = new BinaryClassificationEvaluator().setLabelCol(label)
          .setRawPredictionCol(probability);
      auc = evaluator.setMetricName("areaUnderROC").evaluate(scored);
      prAuc = evaluator.setMetricName("areaUnderPR").evaluate(scored);
    }
    double lift = Double.NaN;
    double recall = Double.NaN;
    if (churners > 0) {
      double cut = scored.stat().approxQuantile(probability, new double[] {0.9}, 1e-4)[0];
      Row top = scored.agg(count(when(col(probability).gt(cut), 1)), sum(when(col(probability).gt(cut), y)),
          count(when(col(probability).equalTo(cut), 1)), sum(when(col(probability).equalTo(cut), y))).first();
      double places = Math.ceil(0.1 * n);
      double above = top.getLong(0);
      double topChurners = top.isNullAt(1) ? 0 : top.getDouble(1);
      double tied = top.getLong(2);
      double left = Math.max(0, Math.min(places - above, tied));
      if (tied > 0) {
        topChurners += left * top.getDouble(3) / tied;
      }
      double taken = above + left;
      lift = taken == 0 ? Double.NaN : topChurners / taken / rate;
      recall = topChurners / churners;
    }
    return new BinaryMetrics(n, rate, auc, prAuc, totals.getDouble(2), totals.getDouble(3), ece, lift, recall, bins);
  }
}
