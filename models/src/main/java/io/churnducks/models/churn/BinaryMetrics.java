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
 * @param lift            the cumulative lift curve: the riskiest 10 %, 20 %, …, 100 % of the examples (empty
 *                        without churners); its first point is {@code topDecileLift} and {@code topDecileRecall}
 */
public record BinaryMetrics(long examples, double churnRate, double auc, double prAuc, double logLoss, double brier,
    double ece, double topDecileLift, double topDecileRecall, List<Bin> calibration, List<LiftPoint> lift) {

  /** One probability bin: its examples, their mean probability and their churn rate. */
  public record Bin(int bin, long examples, double meanProbability, double churnRate) {}

  /**
   * The riskiest {@code decile × 10 %} of the examples by score. Examples tied at the cut share the
   * places left, each counted with the tied group's churn rate, so a constant score has lift 1.
   *
   * @param decile   1 = the riskiest 10 %, …, 10 = every example
   * @param examples examples taken: ceil(decile / 10 × examples)
   * @param churners churners among them (fractional when ties at the cut share places)
   * @param lift     their churn rate ÷ the overall churn rate
   * @param recall   their share of all churners (the gains curve)
   */
  public record LiftPoint(int decile, long examples, double churners, double lift, double recall) {}

  private static final int BINS = 10;
  private static final double EPS = 1e-6;

  /** Metrics of no examples: every value NaN. */
  public static BinaryMetrics undefined() {
    return new BinaryMetrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, List.of(), List.of());
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
    List<LiftPoint> curve = churners > 0 ? liftCurve(scored, y, probability, n, churners) : List.of();
    double lift = curve.isEmpty() ? Double.NaN : curve.get(0).lift();
    double recall = curve.isEmpty() ? Double.NaN : curve.get(0).recall();
    return new BinaryMetrics(n, rate, auc, prAuc, totals.getDouble(2), totals.getDouble(3), ece, lift, recall, bins,
        curve);
  }

  /**
   * The top-decile lift of {@code probability} when each example's outcome is known only as a
   * probability ({@code outcomeProbability}, e.g. a simulation's true churn probability): the mean
   * outcome probability of the 10 % highest scores ÷ the mean over all. The expected value of the
   * lift measured on real outcomes, without their sampling noise; NaN when every outcome
   * probability is 0.
   */
  public static double expectedTopDecileLift(Dataset<Row> frame, String outcomeProbability, String probability) {
    Dataset<Row> scored = frame.withColumn(probability, col(probability).cast("double"));
    Column q = col(outcomeProbability).cast("double");
    Row totals = scored.agg(count(lit(1)), sum(q)).first();
    long n = totals.getLong(0);
    double expected = totals.isNullAt(1) ? 0 : totals.getDouble(1);
    return n == 0 || expected <= 0 ? Double.NaN : liftCurve(scored, q, probability, n, expected).get(0).lift();
  }

  /** The cumulative lift of the riskiest 10 %, 20 %, …, 100 %: one quantile sketch and one aggregate pass. */
  private static List<LiftPoint> liftCurve(Dataset<Row> scored, Column y, String probability, long n, double churners) {
    double[] quantiles = new double[BINS - 1];
    for (int d = 1; d < BINS; d++) {
      quantiles[d - 1] = 1.0 - (double) d / BINS;
    }
    double[] cuts = scored.stat().approxQuantile(probability, quantiles, 1e-4);
    List<Column> sums = new ArrayList<>();
    for (double cut : cuts) {
      Column above = col(probability).gt(cut);
      Column tied = col(probability).equalTo(cut);
      sums.add(count(when(above, 1)));
      sums.add(sum(when(above, y)));
      sums.add(count(when(tied, 1)));
      sums.add(sum(when(tied, y)));
    }
    Row r = scored.agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0])).first();
    double rate = churners / n;
    List<LiftPoint> out = new ArrayList<>();
    for (int d = 1; d < BINS; d++) {
      int i = 4 * (d - 1);
      double places = Math.ceil((double) d / BINS * n);
      double above = r.getLong(i);
      double topChurners = r.isNullAt(i + 1) ? 0 : r.getDouble(i + 1);
      double tied = r.getLong(i + 2);
      double left = Math.max(0, Math.min(places - above, tied));
      if (tied > 0) {
        topChurners += left * r.getDouble(i + 3) / tied;
      }
      long taken = (long) (above + left);
      out.add(new LiftPoint(d, taken, topChurners, taken == 0 ? Double.NaN : topChurners / taken / rate,
          topChurners / churners));
    }
    out.add(new LiftPoint(BINS, n, churners, 1.0, 1.0));
    return out;
  }
}
