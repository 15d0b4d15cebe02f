package io.churnducks.features.relevance;

import io.churnducks.features.contract.Schemas;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * Which indicators tell churners from stayers, one indicator at a time, on labelled examples
 * (account, as-of date, indicators, churned): the {@code indicator_relevance} table.
 *
 * <p>Per numeric indicator (values compared at {@link #VALUE_DECIMALS} decimals): the ROC AUC of
 * the raw value (ties count half; 0.5 = no signal, below
 * 0.5 = lower values churn more), churn rate per quantile bucket (up to ten; missing values are a
 * bucket of their own), the churn rate of the highest bucket over the lowest, and the information
 * value of the buckets. Per category: churn rate per value (values with fewer than
 * {@link #MIN_CATEGORY_EXAMPLES} examples folded into one), a chi-square test, the information
 * value, and the AUC of the values ranked by their churn rate (in-sample, so slightly optimistic).
 *
 * <p>Verdict: an indicator is <em>noise</em> unless its signal is significant after a Bonferroni
 * correction over all indicators tested, at {@link #ALPHA}. The examples repeat accounts (one per
 * as-of date), which are not independent: the design effect of the churn rate with accounts as
 * clusters ({@link #designEffect}) multiplies the AUC's variance (Hanley–McNeil) and divides the
 * chi-square statistic (a first-order Rao–Scott correction). A significant indicator is <em>predictive</em>
 * when its effect is large enough to matter (|AUC − 0.5| ≥ {@link #MIN_AUC_EFFECT} or information
 * value ≥ {@link #MIN_INFORMATION_VALUE}), else <em>weak</em>.
 *
 * <p>All per-example work is distributed; only per-value counts of categories and per-bucket
 * counts of numbers (a few rows per indicator) reach the driver.
 */
public final class IndicatorRelevance {

  private IndicatorRelevance() {}

  /** Family-wise significance level of the verdicts. */
  public static final double ALPHA = 0.05;
  /** Smallest |AUC − 0.5| of a predictive indicator. */
  public static final double MIN_AUC_EFFECT = 0.05;
  /** Smallest information value of a predictive indicator (the usual "medium" threshold). */
  public static final double MIN_INFORMATION_VALUE = 0.1;
  /** Examples a category value needs to be shown on its own. */
  public static final long MIN_CATEGORY_EXAMPLES = 30;
  /** Quantile buckets of a numeric indicator (fewer when values tie). */
  public static final int BUCKETS = 10;
  /** Decimals numeric values are compared at (ranks, ties, bucket edges). */
  static final int VALUE_DECIMALS = 9;

  public static final String PREDICTIVE = "predictive";
  public static final String WEAK = "weak";
  public static final String NOISE = "noise";

  private static final StructType BUCKET = new StructType(new StructField[] {
      Schemas.field("label", StringType, false, "Value range (numbers) or value (categories); 'missing' for nulls."),
      Schemas.field("examples", LongType, false, "Examples in the bucket."),
      Schemas.field("churn_rate", DoubleType, false, "Share of them that churned within the horizon.")});

  /** The declared schema of {@code indicator_relevance} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      Schemas.field("indicator", StringType, false, "Indicator (customer_features column)."),
      Schemas.field("kind", StringType, false, "numeric or category."),
      Schemas.field("examples", LongType, false, "Labelled examples with a value."),
      Schemas.field("missing_share", DoubleType, false, "Share of labelled examples without a value."),
      Schemas.field("churn_rate", DoubleType, true, "Churn rate of the examples with a value."),
      Schemas.field("auc", DoubleType, true, "Univariate ROC AUC: numbers by raw value (below 0.5: lower values "
          + "churn more); categories by their values' churn rates (in-sample)."),
      Schemas.field("direction", StringType, false, "Which values churn more: higher, lower, or - (categories, none)."),
      Schemas.field("top_bottom_lift", DoubleType, true, "Churn rate of the highest bucket / the lowest "
          + "(categories: the riskiest value / the safest)."),
      Schemas.field("information_value", DoubleType, true, "Information value of the buckets (< 0.02 useless, "
          + "0.02-0.1 weak, 0.1-0.3 medium, > 0.3 strong)."),
      Schemas.field("p_value", DoubleType, true, "Two-sided p-value of no association (AUC = 0.5 with a standard error "
          + "inflated for repeated accounts; chi-square for categories)."),
      Schemas.field("p_adjusted", DoubleType, true, "p_value x indicators tested (Bonferroni), at most 1."),
      Schemas.field("verdict", StringType, false, "predictive, weak or noise (see IndicatorRelevance)."),
      Schemas.field("buckets", new ArrayType(BUCKET, false), false, "Churn rate by quantile bucket or value."),
      Schemas.field("behavioural_group", StringType, true, "Behavioural group of the indicator (numeric only).")});

  /** One indicator's measures, before the verdict. */
  record Measures(String indicator, String kind, long examples, long missing, double churnRate, Double auc,
      String direction, Double lift, Double informationValue, Double pValue, List<Row> buckets) {}

  /**
   * @param examples    {@code account_id, churned} and the indicator columns
   * @param numeric     numeric indicators to judge
   * @param categorical categorical indicators to judge
   * @param groups      indicator → behavioural group name (may be empty)
   * @return rows of {@link #SCHEMA}, one per indicator; small, built on the driver from aggregates
   */
  public static Dataset<Row> compute(SparkSession spark, Dataset<Row> examples, List<String> numeric,
      List<String> categorical, Map<String, String> groups) {
    Row totals = examples.groupBy("account_id")
        .agg(count(lit(1)).as("n"), sum(when(col("churned"), 1L).otherwise(0L)).as("c"))
        .agg(sum("n"), sum("c"), sum(col("n").multiply(col("n"))), sum(col("c").multiply(col("c"))),
            sum(col("c").multiply(col("n"))))
        .first();
    long total = totals.isNullAt(0) ? 0 : totals.getLong(0);
    double designEffect = total == 0 ? 1.0 : designEffect(total, totals.getLong(1), totals.getLong(2),
        totals.getLong(3), totals.getLong(4));
    List<Measures> measures = new ArrayList<>();
    if (!numeric.isEmpty()) {
      measures.addAll(numeric(examples, numeric, designEffect));
    }
    for (String c : categorical) {
      measures.add(category(examples, c, designEffect));
    }
    int tested = (int) measures.stream().filter(m -> m.pValue() != null).count();
    List<Row> rows = new ArrayList<>();
    for (Measures m : measures) {
      Double adjusted = m.pValue() == null ? null : Math.min(1.0, m.pValue() * Math.max(1, tested));
      rows.add(RowFactory.create(m.indicator(), m.kind(), m.examples(),
          total == 0 ? 0.0 : (double) m.missing() / total, m.churnRate(), m.auc(), m.direction(), m.lift(),
          m.informationValue(), m.pValue(), adjusted, verdict(m, adjusted), m.buckets(), groups.get(m.indicator())));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * How much less an example tells than an independent one: the variance of the churn rate with
   * accounts as clusters, Σ(c − p·n)² / N², over the binomial variance p(1 − p) / N (at least 1).
   */
  static double designEffect(long examples, long churners, long sumN2, long sumC2, long sumCn) {
    double p = (double) churners / examples;
    double binomial = p * (1 - p) / examples;
    double clustered = (sumC2 - 2 * p * sumCn + p * p * sumN2) / ((double) examples * examples);
    return binomial <= 0 ? 1.0 : Math.max(1.0, clustered / binomial);
  }

  static String verdict(Measures m, Double adjusted) {
    if (adjusted == null || adjusted >= ALPHA) {
      return NOISE;
    }
    boolean aucEffect = m.auc() != null && Math.abs(m.auc() - 0.5) >= MIN_AUC_EFFECT;
    boolean ivEffect = m.informationValue() != null && m.informationValue() >= MIN_INFORMATION_VALUE;
    return aucEffect || ivEffect ? PREDICTIVE : WEAK;
  }

  private static List<Measures> numeric(Dataset<Row> examples, List<String> indicators, double designEffect) {
    List<Column> pairs = new ArrayList<>();
    for (String i : indicators) {
      // At 9 decimals: a sum of fractions added in another order (another partitioning) differs
      // in the 16th digit, and ranks and buckets must see the same value.
      pairs.add(struct(lit(i).as("indicator"), round(col(i).cast("double"), VALUE_DECIMALS).as("value")));
    }
    Dataset<Row> longForm = examples
        .select(col("churned"), explode(array(pairs.toArray(Column[]::new))).as("p"))
        .select(col("p.indicator").as("indicator"), col("p.value").as("value"),
            when(col("churned"), 1L).otherwise(0L).as("y"));
    Column nan = col("value").isNull().or(expr("isnan(value)"));
    Dataset<Row> valued = longForm.where(nan.unary_$bang());

    // AUC by ranks: each churner's value against the stayers' values below it (ties half).
    Dataset<Row> perValue = valued.groupBy("indicator", "value")
        .agg(sum("y").as("pos"), sum(lit(1L).minus(col("y"))).as("neg"));
    Column negBelow = coalesce(sum("neg").over(Window.partitionBy("indicator").orderBy("value")
        .rowsBetween(Window.unboundedPreceding(), -1)), lit(0L));
    Map<String, double[]> auc = new TreeMap<>();
    for (Row r : perValue.withColumn("_wins", col("pos").multiply(negBelow.plus(col("neg").multiply(0.5))))
        .groupBy("indicator").agg(sum("pos"), sum("neg"), sum("_wins")).collectAsList()) {
      auc.put(r.getString(0), new double[] {r.getLong(1), r.getLong(2), r.getDouble(3)});
    }

    // Quantile buckets: the distinct deciles of each indicator, broadcast back to count per bucket.
    double[] probabilities = new double[BUCKETS - 1];
    for (int k = 1; k < BUCKETS; k++) {
      probabilities[k - 1] = (double) k / BUCKETS;
    }
    Dataset<Row> edges = valued.groupBy("indicator").agg(
        expr("array_sort(array_distinct(percentile_approx(value, array(" + joined(probabilities) + "), 1000)))")
            .as("edges"));
    Dataset<Row> bucketed = longForm.join(broadcast(edges), "indicator")
        .withColumn("bucket", when(nan, -1).otherwise(expr("size(filter(edges, e -> e < value))")));
    Map<String, List<Row>> buckets = new TreeMap<>();
    for (Row r : bucketed.groupBy("indicator", "bucket")
        .agg(count(lit(1)).as("n"), sum("y").as("pos"), min("value"), max("value"))
        .orderBy("indicator", "bucket").collectAsList()) {
      buckets.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r);
    }

    NormalDistribution normal = new NormalDistribution();
    List<Measures> out = new ArrayList<>();
    for (String indicator : indicators) {
      double[] a = auc.getOrDefault(indicator, new double[] {0, 0, 0});
      double pos = a[0];
      double neg = a[1];
      long withValue = (long) (pos + neg);
      Double area = pos > 0 && neg > 0 ? a[2] / (pos * neg) : null;
      Double p = null;
      if (area != null) {
        double se = Math.sqrt(designEffect * hanleyMcNeilVariance(area, pos, neg));
        p = se > 0 ? 2 * (1 - normal.cumulativeProbability(Math.abs(area - 0.5) / se)) : (area == 0.5 ? 1.0 : 0.0);
      }
      List<Row> rows = buckets.getOrDefault(indicator, List.of());
      List<long[]> counts = new ArrayList<>();
      List<Row> shown = new ArrayList<>();
      long missing = 0;
      for (Row r : rows) {
        long n = r.getLong(2);
        long churners = r.getLong(3);
        counts.add(new long[] {n, churners});
        boolean isMissing = r.getInt(1) < 0;
        if (isMissing) {
          missing = n;
        }
        shown.add(RowFactory.create(isMissing ? "missing" : range(r.getDouble(4), r.getDouble(5)), n,
            (double) churners / n));
      }
      List<long[]> valuedBuckets = new ArrayList<>();
      for (Row r : rows) {
        if (r.getInt(1) >= 0) {
          valuedBuckets.add(new long[] {r.getLong(2), r.getLong(3)});
        }
      }
      Double lift = valuedBuckets.size() < 2 ? null : ratio(valuedBuckets.get(valuedBuckets.size() - 1),
          valuedBuckets.get(0));
      String direction = area == null || area == 0.5 ? "-" : area > 0.5 ? "higher" : "lower";
      out.add(new Measures(indicator, "numeric", withValue, missing, withValue == 0 ? 0.0 : pos / withValue, area,
          direction, lift, counts.isEmpty() ? null : informationValue(counts), p, shown));
    }
    return out;
  }

  private static Measures category(Dataset<Row> examples, String indicator, double designEffect) {
    Map<String, long[]> perValue = new LinkedHashMap<>();
    long[] missingCounts = null;
    for (Row r : examples.groupBy(col(indicator).cast("string").as("v"))
        .agg(count(lit(1)), sum(when(col("churned"), 1L).otherwise(0L))).collectAsList()) {
      long[] c = {r.getLong(1), r.getLong(2)};
      if (r.isNullAt(0)) {
        missingCounts = c;
      } else {
        perValue.put(r.getString(0), c);
      }
    }
    long missing = missingCounts == null ? 0 : missingCounts[0];
    // Rare values are folded together, so a value with three examples cannot look significant.
    Map<String, long[]> shown = new TreeMap<>();
    for (Map.Entry<String, long[]> e : perValue.entrySet()) {
      String key = e.getValue()[0] >= MIN_CATEGORY_EXAMPLES ? e.getKey() : "(rare values)";
      shown.merge(key, e.getValue().clone(), (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
    }
    if (missingCounts != null) {
      shown.put("missing", missingCounts);
    }
    List<long[]> counts = new ArrayList<>(shown.values());
    long n = counts.stream().mapToLong(c -> c[0]).sum();
    long churners = counts.stream().mapToLong(c -> c[1]).sum();
    Double p = chiSquarePValue(counts, n, churners, designEffect);
    List<Map.Entry<String, long[]>> byRate = new ArrayList<>(shown.entrySet());
    byRate.sort(Comparator.comparingDouble(e -> (double) e.getValue()[1] / e.getValue()[0]));
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, long[]> e : byRate) {
      rows.add(RowFactory.create(e.getKey(), e.getValue()[0], (double) e.getValue()[1] / e.getValue()[0]));
    }
    Double lift = byRate.size() < 2 ? null : ratio(byRate.get(byRate.size() - 1).getValue(), byRate.get(0).getValue());
    long withValue = n - missing;
    return new Measures(indicator, "category", withValue, missing,
        n == 0 ? 0.0 : (double) churners / n, rankedAuc(byRate.stream().map(Map.Entry::getValue).toList()), "-",
        lift, counts.isEmpty() ? null : informationValue(counts), p, rows);
  }

  /** AUC of groups ordered by churn rate: churners of each group against stayers of the groups before it. */
  static Double rankedAuc(List<long[]> groupsByRate) {
    double pos = 0;
    double neg = 0;
    double wins = 0;
    double negBefore = 0;
    for (long[] g : groupsByRate) {
      double groupPos = g[1];
      double groupNeg = g[0] - g[1];
      wins += groupPos * (negBefore + 0.5 * groupNeg);
      negBefore += groupNeg;
      pos += groupPos;
      neg += groupNeg;
    }
    return pos > 0 && neg > 0 ? wins / (pos * neg) : null;
  }

  /** Information value of buckets {examples, churners}, with half a count added to empty cells. */
  static double informationValue(List<long[]> buckets) {
    double churners = buckets.stream().mapToDouble(b -> b[1]).sum();
    double stayers = buckets.stream().mapToDouble(b -> b[0] - b[1]).sum();
    if (churners == 0 || stayers == 0) {
      return 0.0;
    }
    double iv = 0;
    for (long[] b : buckets) {
      double bad = Math.max(b[1], 0.5) / churners;
      double good = Math.max(b[0] - b[1], 0.5) / stayers;
      iv += (good - bad) * Math.log(good / bad);
    }
    return iv;
  }

  /** Variance of an AUC estimate (Hanley and McNeil, 1982). */
  static double hanleyMcNeilVariance(double auc, double pos, double neg) {
    double q1 = auc / (2 - auc);
    double q2 = 2 * auc * auc / (1 + auc);
    return (auc * (1 - auc) + (pos - 1) * (q1 - auc * auc) + (neg - 1) * (q2 - auc * auc)) / (pos * neg);
  }

  /**
   * p-value of a chi-square test of independence between the groups and churn, the statistic
   * divided by the design effect of repeated accounts (a first-order Rao–Scott correction).
   */
  static Double chiSquarePValue(List<long[]> groups, long n, long churners, double designEffect) {
    if (groups.size() < 2 || churners == 0 || churners == n) {
      return null;
    }
    double rate = (double) churners / n;
    double chi = 0;
    for (long[] g : groups) {
      double expectedChurn = g[0] * rate;
      double expectedStay = g[0] * (1 - rate);
      chi += Math.pow(g[1] - expectedChurn, 2) / expectedChurn
          + Math.pow(g[0] - g[1] - expectedStay, 2) / expectedStay;
    }
    return 1 - new ChiSquaredDistribution(groups.size() - 1).cumulativeProbability(chi / designEffect);
  }

  private static Double ratio(long[] top, long[] bottom) {
    double bottomRate = (double) bottom[1] / bottom[0];
    return bottomRate == 0 ? null : ((double) top[1] / top[0]) / bottomRate;
  }

  private static String range(double low, double high) {
    return low == high ? format(low) : format(low) + " to " + format(high);
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v)
        : String.format(java.util.Locale.ROOT, "%.3g", v);
  }

  private static String joined(double[] values) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() > 0 ? ", " : "").append(v);
    }
    return b.toString();
  }
}
