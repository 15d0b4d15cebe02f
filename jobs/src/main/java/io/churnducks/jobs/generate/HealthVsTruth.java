package io.churnducks.jobs.generate;

import io.churnducks.features.relevance.IndicatorDrift;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

/**
 * Whether a run's health score orders customers by their hidden churn risk: the mean true churn
 * probability (the generator's, on the run date) per health decile, lowest health first. Ten
 * aggregated rows reach the driver.
 *
 * @param health    mean health per decile
 * @param truth     mean true churn probability per decile
 */
public record HealthVsTruth(double[] health, double[] truth) {

  public static HealthVsTruth measure(SparkSession spark, String sampleDir, Warehouse warehouse, LocalDate runDate) {
    Dataset<Row> joined = warehouse.read("customer_segments", runDate)
        .join(spark.read().parquet(sampleDir + "/truth/churn_probabilities")
            .where(col("as_of_date").equalTo(lit(Date.valueOf(runDate)))), "account_id")
        .cache();
    try {
      // Decile edges from a quantile sketch, so no window moves every customer into one partition.
      double[] edges = IndicatorDrift.binEdges(joined, new String[] {"health"}, 10)[0];
      List<Row> rows = joined.withColumn("decile", IndicatorDrift.binOf(col("health"), edges))
          .groupBy("decile").agg(expr("avg(health)"), expr("avg(true_churn_probability)"))
          .orderBy("decile").collectAsList();
      return new HealthVsTruth(rows.stream().mapToDouble(r -> r.getDouble(1)).toArray(),
          rows.stream().mapToDouble(r -> r.getDouble(2)).toArray());
    } finally {
      joined.unpersist();
    }
  }

  /** Share of the range between the least and the most healthy decile within which a rise is noise. */
  public static final double NOISE = 0.02;

  /**
   * How often the true churn probability rises from one decile to the next healthier one by more
   * than {@link #NOISE} of the range between the first and the last decile (the healthiest deciles
   * sit at the generator's floor hazard, where a sampling wobble of a few thousandths is not a rise).
   */
  public int rises() {
    double tolerance = truth.length == 0 ? 0.0 : NOISE * Math.abs(truth[0] - truth[truth.length - 1]);
    int n = 0;
    for (int i = 1; i < truth.length; i++) {
      if (truth[i] > truth[i - 1] + tolerance) {
        n++;
      }
    }
    return n;
  }

  /** Pearson correlation of the decile number with its mean true churn probability (−1 = a straight fall). */
  public double trend() {
    int n = truth.length;
    double mx = (n - 1) / 2.0;
    double my = java.util.Arrays.stream(truth).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (i - mx) * (truth[i] - my);
      sxx += (i - mx) * (i - mx);
      syy += (truth[i] - my) * (truth[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }

  public String describe() {
    StringBuilder b = new StringBuilder("mean health: mean true churn probability per health decile:");
    for (int i = 0; i < truth.length; i++) {
      b.append(String.format(Locale.ROOT, " %.0f:%.3f", health[i], truth[i]));
    }
    return b.append(String.format(Locale.ROOT, " (rises %d, trend %.3f)", rises(), trend())).toString();
  }
}
