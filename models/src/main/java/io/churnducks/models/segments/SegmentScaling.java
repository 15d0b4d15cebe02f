package io.churnducks.models.segments;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.stddev_pop;

/**
 * How an indicator becomes a coordinate of the segment space, learned from one population:
 * heavy-tailed counts through ln(1 + x), a missing value replaced by the median, the tails clipped
 * at the 1st and 99th percentiles (one outlier must not own a segment), then standardised to the
 * population's mean and standard deviation, and multiplied by the indicator's weight (1 / √(size of
 * its behaviour group), so a behaviour seen through three indicators counts as much as one seen
 * through one). An indicator that does not vary has standard deviation 0 and a coordinate of 0 for
 * everyone.
 *
 * <p>Learning it reads the population twice (quantiles, then mean and deviation); only a few
 * numbers per indicator reach the driver.
 */
public record SegmentScaling(List<String> columns, boolean[] logScaled, double[] median, double[] low,
    double[] high, double[] mean, double[] sd, double[] weight) implements Serializable {

  /** The lower and upper clipping quantiles. */
  static final double[] TAILS = {0.01, 0.5, 0.99};

  public SegmentScaling {
    columns = List.copyOf(columns);
  }

  /** Learns the scaling of {@code columns} (all of weight 1) from {@code population}. */
  public static SegmentScaling learn(Dataset<Row> population, List<String> columns, List<String> logScaled) {
    double[] ones = new double[columns.size()];
    java.util.Arrays.fill(ones, 1.0);
    return learn(population, columns, logScaled, ones);
  }

  /** Learns the scaling of {@code columns}, weighted by {@code weight}, from {@code population}. */
  public static SegmentScaling learn(Dataset<Row> population, List<String> columns, List<String> logScaled,
      double[] weight) {
    int n = columns.size();
    boolean[] log = new boolean[n];
    String[] prepared = new String[n];
    Dataset<Row> x = population;
    for (int i = 0; i < n; i++) {
      log[i] = logScaled.contains(columns.get(i));
      prepared[i] = "_seg" + i;
      x = x.withColumn(prepared[i], transformed(columns.get(i), log[i]));
    }
    x = x.select(java.util.Arrays.stream(prepared).map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
    double[][] q = x.stat().approxQuantile(prepared, TAILS, 0.001);
    double[] median = new double[n];
    double[] low = new double[n];
    double[] high = new double[n];
    List<Column> stats = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // A column that is missing for everyone has no quantiles: it becomes a constant 0.
      boolean empty = q[i].length == 0;
      median[i] = empty ? 0.0 : q[i][1];
      low[i] = empty ? 0.0 : q[i][0];
      high[i] = empty ? 0.0 : q[i][2];
      Column v = clipped(col(prepared[i]), median[i], low[i], high[i]);
      stats.add(avg(v));
      stats.add(stddev_pop(v));
    }
    Row s = x.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
    double[] mean = new double[n];
    double[] sd = new double[n];
    for (int i = 0; i < n; i++) {
      mean[i] = s.isNullAt(2 * i) ? 0.0 : s.getDouble(2 * i);
      sd[i] = s.isNullAt(2 * i + 1) ? 0.0 : s.getDouble(2 * i + 1);
    }
    return new SegmentScaling(columns, log, median, low, high, mean, sd, weight.clone());
  }

  /**
   * Per coordinate, the variance that counting alone puts on a whole-numbered indicator: h² / 12 for
   * grid step h in this scaling's units (Sheppard's correction; h is the step at the indicator's
   * lower clipping quantile, the widest for a log-scaled count), 0 for an indicator with a fractional
   * value. A segment whose customers share one count (say, no intent events at all) has no spread of
   * its own on it; without this floor its Gaussian would claim an exactness the counts do not have
   * and win customers on a technicality. One pass over {@code population}.
   */
  public double[] countingVariance(Dataset<Row> population) {
    int n = columns.size();
    List<Column> fractions = new ArrayList<>();
    for (String c : columns) {
      Column v = col(c).cast("double");
      fractions.add(coalesce(max(abs(v.minus(round(v)))), lit(0.0)));
    }
    Row r = population.agg(fractions.get(0), fractions.subList(1, n).toArray(Column[]::new)).first();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      if (r.getDouble(i) > 0 || sd[i] <= 0) {
        continue;
      }
      double step = logScaled[i] ? Math.log1p(Math.expm1(low[i]) + 1) - low[i] : 1.0;
      double h = step * weight[i] / sd[i];
      out[i] = h * h / 12;
    }
    return out;
  }

  /** The value of indicator {@code i} after log, imputation and clipping (the unstandardised coordinate). */
  public Column prepared(int i) {
    return clipped(transformed(columns.get(i), logScaled[i]), median[i], low[i], high[i]);
  }

  /** The standardised, weighted coordinate of indicator {@code i}. */
  public Column z(int i) {
    return sd[i] > 0 ? prepared(i).minus(mean[i]).multiply(weight[i] / sd[i]) : lit(0.0);
  }

  /** The coordinates of {@code point} (in another scaling's units) in this scaling's units, by column name. */
  public double[] restate(double[] point, SegmentScaling from) {
    double[] out = new double[columns.size()];
    for (int i = 0; i < out.length; i++) {
      int j = from.columns.indexOf(columns.get(i));
      if (j < 0 || sd[i] <= 0) {
        continue;
      }
      double raw = from.sd[j] > 0 && from.weight[j] > 0 ? point[j] * from.sd[j] / from.weight[j] + from.mean[j]
          : from.mean[j];
      out[i] = (raw - mean[i]) * weight[i] / sd[i];
    }
    return out;
  }

  private static Column transformed(String column, boolean log) {
    Column v = col(column).cast("double");
    return log ? log1p(greatest(v, lit(0.0))) : v;
  }

  private static Column clipped(Column v, double median, double low, double high) {
    return least(greatest(coalesce(v, lit(median)), lit(low)), lit(high));
  }
}
