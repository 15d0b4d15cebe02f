package io.churnducks.features.relevance;

import io.churnducks.features.contract.Schemas;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * How far each indicator's distribution moved since the previous run: the population stability
 * index (PSI) over the previous run's deciles, missing values a bin of their own. The {@code drift}
 * table. PSI = Σ (now − before) · ln(now / before) over the bins' shares (each share at least
 * {@link #MIN_SHARE}, so an empty bin does not make it infinite); by the usual reading below 0.1 is
 * stable, 0.1–0.2 a shift worth a look and above 0.2 a change the models and segments were not
 * trained on. Only bin counts and means reach the driver.
 */
public final class IndicatorDrift {

  private IndicatorDrift() {}

  /** Bins an indicator's values fall into: the previous run's deciles. */
  public static final int BINS = 10;
  /** Floor of a bin's share in the PSI sum. */
  public static final double MIN_SHARE = 1e-4;

  /** The declared schema of {@code drift} (without the {@code run_date} partition). */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      Schemas.field("indicator", StringType, false, "Numeric indicator of customer_features."),
      Schemas.field("previous_run_date", DateType, false, "The run it is compared with (the latest before this one)."),
      Schemas.field("psi", DoubleType, false, "Population stability index over the previous run's deciles "
          + "(missing values a bin of their own): < 0.1 stable, 0.1-0.2 shifting, > 0.2 changed."),
      Schemas.field("flagged", BooleanType, false, "psi above the configured threshold (drift.psi-threshold)."),
      Schemas.field("mean_before", DoubleType, true, "Mean of the indicator in the previous run."),
      Schemas.field("mean_now", DoubleType, true, "Mean of the indicator in this run."),
      Schemas.field("missing_before", DoubleType, false, "Share of customers without a value in the previous run."),
      Schemas.field("missing_now", DoubleType, false, "Share of customers without a value in this run."),
  });

  /**
   * @param before     the previous run's customer_features
   * @param now        this run's customer_features
   * @param indicators numeric indicators to compare
   * @param threshold  PSI above which an indicator is flagged
   */
  public static Dataset<Row> compute(SparkSession spark, Dataset<Row> before, Dataset<Row> now, List<String> indicators,
      LocalDate previousRunDate, double threshold) {
    String[] names = indicators.toArray(new String[0]);
    Dataset<Row> b = before.select(Arrays.stream(names).map(n -> col(n).cast("double").as(n)).toArray(Column[]::new));
    Dataset<Row> n = now.select(Arrays.stream(names).map(x -> col(x).cast("double").as(x)).toArray(Column[]::new));
    double[][] edges = binEdges(b, names, BINS);
    Map<String, long[]> countsBefore = binCounts(b, names, edges);
    Map<String, long[]> countsNow = binCounts(n, names, edges);
    Row meansBefore = b.agg(count(lit(1)), Arrays.stream(names).map(x -> avg(col(x))).toArray(Column[]::new)).first();
    Row meansNow = n.agg(count(lit(1)), Arrays.stream(names).map(x -> avg(col(x))).toArray(Column[]::new)).first();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      long[] cb = countsBefore.getOrDefault(names[i], new long[BINS + 1]);
      long[] cn = countsNow.getOrDefault(names[i], new long[BINS + 1]);
      double psi = psi(cb, cn);
      rows.add(RowFactory.create(names[i], java.sql.Date.valueOf(previousRunDate), psi, psi > threshold,
          meansBefore.isNullAt(i + 1) ? null : meansBefore.getDouble(i + 1),
          meansNow.isNullAt(i + 1) ? null : meansNow.getDouble(i + 1),
          share(cb[BINS], cb), share(cn[BINS], cn)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** PSI of two bin-count vectors (shares floored at {@link #MIN_SHARE}); 0 when either side is empty. */
  public static double psi(long[] before, long[] now) {
    long tb = Arrays.stream(before).sum();
    long tn = Arrays.stream(now).sum();
    if (tb == 0 || tn == 0) {
      return 0.0;
    }
    double psi = 0;
    for (int k = 0; k < before.length; k++) {
      double e = Math.max((double) before[k] / tb, MIN_SHARE);
      double a = Math.max((double) now[k] / tn, MIN_SHARE);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  private static double share(long part, long[] counts) {
    long total = Arrays.stream(counts).sum();
    return total == 0 ? 0.0 : (double) part / total;
  }

  /**
   * Customers per bin of every indicator, in one pass: bin k (0..BINS-1) holds values above k edges
   * (ties go to the lower bin; repeated edges leave bins empty), bin BINS the missing values.
   */
  private static Map<String, long[]> binCounts(Dataset<Row> frame, String[] names, double[][] edges) {
    List<Column> pairs = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      Column v = col(names[i]);
      pairs.add(struct(lit(names[i]).as("indicator"), when(v.isNull(), lit(BINS)).otherwise(binOf(v, edges[i]))
          .as("bin")));
    }
    Map<String, long[]> out = new HashMap<>();
    for (Row r : frame.select(explode(array(pairs.toArray(Column[]::new))).as("p"))
        .groupBy(col("p.indicator"), col("p.bin")).count().collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new long[BINS + 1])[r.getInt(1)] += r.getLong(2);
    }
    return out;
  }

  /**
   * Edges of {@code bins} equal-count bins of each of {@code columns}: its {@code bins - 1} inner
   * quantiles, sorted, from Spark's quantile sketch (relative error 0.001), so no sort or window
   * over the rows; {@link #binOf} places a value among them.
   */
  public static double[][] binEdges(Dataset<Row> rows, String[] columns, int bins) {
    double[] probabilities = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      probabilities[i - 1] = (double) i / bins;
    }
    return rows.stat().approxQuantile(columns, probabilities, 0.001);
  }

  /**
   * The quantile bin of a value: how many of the edges it is above (edges sorted, as approxQuantile
   * returns), 0 to edges.length; a row-wise expression, so binning needs no window or sort.
   */
  public static Column binOf(Column v, double[] edges) {
    Column bin = lit(0);
    for (double edge : edges) {
      bin = bin.plus(when(v.gt(lit(edge)), 1).otherwise(0));
    }
    return bin;
  }
}
