package io.churnducks.features.relevance;

import io.churnducks.features.contract.Schemas;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * "Focus on the industries that matter": which industries churn differently from the rest,
 * decided from labelled examples, so models and segments keep those and fold every other industry
 * into {@link #OTHER}. The {@code industry_focus} table.
 *
 * <p>Each industry's churn rate is compared with the <em>typical</em> industry's: the median of
 * the tested industries' rates, weighted by their examples. (Against "all the others" a plain
 * industry would look different whenever a few large effects sit in the rest.) The test is a
 * z-test of the industry's rate against that reference, and the p-values are corrected for
 * testing every industry (Holm's step-down method at {@link #ALPHA}). An account contributes an
 * example per as-of date, and its examples are alike (the same customer), so the variance of an
 * industry's rate is the cluster-robust one, accounts being the clusters: Σ(c − p·n)² / N² over
 * its accounts, with n examples and c churners each.
 * Overlapping horizons would count one churn several times, so only as-of dates at least a horizon
 * apart are used ({@link #spacedDates}). An industry needs {@link #MIN_EXAMPLES} examples and
 * {@link #MIN_CHURNERS} expected churners to be tested at all; the rest are folded without a test.
 */
public final class IndustryFocus {

  private IndustryFocus() {}

  /** Family-wise significance level. */
  public static final double ALPHA = 0.05;
  /** Examples an industry needs to be tested. */
  public static final long MIN_EXAMPLES = 100;
  /** Churners an industry needs at the overall churn rate to be tested. */
  public static final double MIN_CHURNERS = 10;
  /** What every industry not kept becomes. */
  public static final String OTHER = "other";

  /** The declared schema of {@code industry_focus} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      Schemas.field("industry", StringType, false, "Industry as in customer_features."),
      Schemas.field("examples", LongType, false, "Labelled examples on as-of dates a horizon apart."),
      Schemas.field("churners", LongType, false, "Of them, churned within the horizon."),
      Schemas.field("churn_rate", DoubleType, false, "churners / examples."),
      Schemas.field("rate_vs_typical", DoubleType, true, "Churn rate / the typical industry's churn rate (the "
          + "example-weighted median of the tested industries)."),
      Schemas.field("p_value", DoubleType, true, "Two-sided p-value of the typical churn rate (null: too little data "
          + "to test)."),
      Schemas.field("p_adjusted", DoubleType, true, "Holm-adjusted p-value over the industries tested."),
      Schemas.field("kept", BooleanType, false, "Kept as its own category; otherwise folded into 'other'.")});

  /** The decision: the table rows and the kept industries. */
  public record Decision(Dataset<Row> table, List<String> kept) {
    /** {@code industry} with every industry not kept (and nulls) replaced by {@link #OTHER}. */
    public Column folded(Column industry) {
      return IndustryFocus.folded(industry, kept);
    }
  }

  /** {@code industry} when it is one of {@code kept}, else {@link #OTHER}. */
  public static Column folded(Column industry, List<String> kept) {
    return kept.isEmpty() ? lit(OTHER) : when(industry.isin(kept.toArray()), industry).otherwise(lit(OTHER));
  }

  /**
   * The as-of dates to test on: from the latest back, each at least {@code horizonDays} before the
   * previous one kept, so no churn falls in two examples' horizons of one account.
   */
  public static List<LocalDate> spacedDates(List<LocalDate> asOfDates, int horizonDays) {
    List<LocalDate> sorted = asOfDates.stream().distinct().sorted(Comparator.reverseOrder()).toList();
    List<LocalDate> out = new ArrayList<>();
    for (LocalDate d : sorted) {
      if (out.isEmpty() || !d.plusDays(horizonDays).isAfter(out.get(out.size() - 1))) {
        out.add(d);
      }
    }
    return out.stream().sorted().toList();
  }

  /** The median churn rate of the industries, each weighted by its examples (0 when none). */
  static double weightedMedianRate(List<Row> industries) {
    List<Row> byRate = industries.stream()
        .sorted(Comparator.comparingDouble(r -> (double) r.getLong(2) / r.getLong(1))).toList();
    long total = byRate.stream().mapToLong(r -> r.getLong(1)).sum();
    long seen = 0;
    for (Row r : byRate) {
      seen += r.getLong(1);
      if (2 * seen >= total) {
        return (double) r.getLong(2) / r.getLong(1);
      }
    }
    return 0.0;
  }

  /**
   * @param examples {@code account_id, industry, churned} on as-of dates a horizon apart
   */
  public static Decision decide(SparkSession spark, Dataset<Row> examples) {
    Dataset<Row> perAccount = examples.where(col("industry").isNotNull())
        .groupBy("industry", "account_id")
        .agg(count(lit(1)).as("n"), sum(when(col("churned"), 1L).otherwise(0L)).as("c"));
    // Per industry: examples, churners, and the sums the cluster-robust variance needs.
    List<Row> counts = perAccount.groupBy("industry").agg(sum("n"), sum("c"),
        sum(col("n").multiply(col("n"))), sum(col("c").multiply(col("c"))), sum(col("c").multiply(col("n"))))
        .collectAsList();
    long n = counts.stream().mapToLong(r -> r.getLong(1)).sum();
    long c = counts.stream().mapToLong(r -> r.getLong(2)).sum();
    double overall = n == 0 ? 0 : (double) c / n;
    List<Row> testable = counts.stream()
        .filter(r -> r.getLong(1) >= MIN_EXAMPLES && r.getLong(1) * overall >= MIN_CHURNERS).toList();
    double typical = weightedMedianRate(testable);
    NormalDistribution normal = new NormalDistribution();
    List<Object[]> rows = new ArrayList<>();
    for (Row r : counts) {
      long ni = r.getLong(1);
      long ci = r.getLong(2);
      double rate = (double) ci / ni;
      Double p = null;
      if (testable.contains(r) && typical > 0 && typical < 1) {
        double sumN2 = r.getLong(3);
        double sumC2 = r.getLong(4);
        double sumCn = r.getLong(5);
        double robust = (sumC2 - 2 * rate * sumCn + rate * rate * sumN2) / ((double) ni * ni);
        // Never below the binomial variance at the reference rate (an industry with no churner has 0 robust variance).
        double variance = Math.max(robust, typical * (1 - typical) / ni);
        double z = (rate - typical) / Math.sqrt(variance);
        p = 2 * (1 - normal.cumulativeProbability(Math.abs(z)));
      }
      rows.add(new Object[] {r.getString(0), ni, ci, rate, typical > 0 ? rate / typical : null, p, null, false});
    }
    List<Object[]> tested = rows.stream().filter(o -> o[5] != null).toList();
    double[] adjusted = MultipleTesting.holm(tested.stream().mapToDouble(o -> (Double) o[5]).toArray());
    List<String> kept = new ArrayList<>();
    for (int k = 0; k < adjusted.length; k++) {
      Object[] o = tested.get(k);
      o[6] = adjusted[k];
      if (adjusted[k] < ALPHA) {
        o[7] = true;
        kept.add((String) o[0]);
      }
    }
    rows.sort(Comparator.comparing(o -> (String) o[0]));
    List<Row> out = rows.stream().map(RowFactory::create).toList();
    return new Decision(spark.createDataFrame(out, SCHEMA), kept.stream().sorted().toList());
  }
}
