package io.churnducks.models.segments;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.ml.functions.vector_to_array;

/**
 * Segments as Gaussians: each has a share of the customers, a mean and its own covariance (plus a
 * ridge on the diagonal, per dimension, so a flat direction cannot make it singular and a segment of
 * customers sharing one count cannot claim a spread finer than counting allows). A customer belongs to
 * the segment under which it is most likely, its share included. Unlike k-means' equal round
 * clusters, a segment may be wide in one behaviour and narrow in another, as real customer types are.
 *
 * <p>{@link #refine} improves a partition by classification EM: estimate each segment's share, mean
 * and covariance from its customers (one distributed aggregation of sums and cross-products), move
 * every customer to its most likely segment, repeat until no customer moves. Only k × d × d numbers
 * reach the driver per round.
 *
 * @param means         mean per segment
 * @param lowerInverse  inverse of the covariance's Cholesky factor per segment (lower triangular)
 * @param constants     log share − ½ log det Σ − ½ d log 2π per segment
 */
public record GaussianClusters(double[][] means, double[][][] lowerInverse, double[] constants) implements Serializable {

  /** Number of segments. */
  public int k() {
    return means.length;
  }

  /** Free parameters: shares, means and covariances. */
  public double parameters() {
    int d = means.length == 0 ? 0 : means[0].length;
    return k() * (d + d * (d + 1) / 2.0) + k() - 1;
  }

  /** (segment number, log-likelihood under it) of the most likely segment of {@code x}. */
  public double[] best(double[] x) {
    double bestLikelihood = Double.NEGATIVE_INFINITY;
    int best = -1;
    for (int g = 0; g < means.length; g++) {
      double q = 0;
      for (int i = 0; i < x.length; i++) {
        double y = 0;
        for (int j = 0; j <= i; j++) {
          y += lowerInverse[g][i][j] * (x[j] - means[g][j]);
        }
        q += y * y;
      }
      double l = constants[g] - 0.5 * q;
      if (l > bestLikelihood) {
        bestLikelihood = l;
        best = g;
      }
    }
    return new double[] {best, bestLikelihood};
  }

  /** {@code [segment number, log-likelihood]} of the vector column {@code point}. */
  public Column assign(Column point) {
    GaussianClusters self = this;
    return udf((UDF1<Vector, double[]>) v -> self.best(v.toArray()), DataTypes.createArrayType(DataTypes.DoubleType))
        .apply(point);
  }

  /**
   * Estimates the Gaussians of the partition {@code segment} of {@code points}' vector column
   * {@code point}; a segment with fewer than {@code minSize} customers (and at least dimensions + 1)
   * is dissolved: its customers move to their most likely other segment.
   *
   * @return the Gaussians and, per Gaussian, the segment number it was estimated from
   */
  static Estimate estimate(Dataset<Row> points, String point, String segment, int d, double[] ridge, long minSize) {
    List<Column> aggs = new ArrayList<>();
    Column x = vector_to_array(col(point), "float64");
    for (int i = 0; i < d; i++) {
      aggs.add(sum(x.getItem(i)));
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        aggs.add(sum(x.getItem(i).multiply(x.getItem(j))));
      }
    }
    List<Row> stats = points.groupBy(segment).agg(count(lit(1)), aggs.toArray(Column[]::new)).orderBy(segment)
        .collectAsList();
    double n = stats.stream().mapToLong(r -> r.getLong(1)).sum();
    List<double[]> means = new ArrayList<>();
    List<double[][]> inverses = new ArrayList<>();
    List<Double> constants = new ArrayList<>();
    List<Integer> from = new ArrayList<>();
    for (Row r : stats) {
      double m = r.getLong(1);
      if (m < Math.max(d + 1, minSize)) {
        continue;
      }
      double[] mu = new double[d];
      for (int i = 0; i < d; i++) {
        mu[i] = r.getDouble(2 + i) / m;
      }
      double[][] cov = new double[d][d];
      int at = 2 + d;
      for (int i = 0; i < d; i++) {
        for (int j = 0; j <= i; j++) {
          cov[i][j] = r.getDouble(at++) / m - mu[i] * mu[j] + (i == j ? ridge[i] : 0.0);
          cov[j][i] = cov[i][j];
        }
      }
      double[][] l = cholesky(cov);
      double logDet = 0;
      for (int i = 0; i < d; i++) {
        logDet += 2 * Math.log(l[i][i]);
      }
      means.add(mu);
      inverses.add(lowerInverse(l));
      constants.add(Math.log(m / n) - 0.5 * logDet - 0.5 * d * Math.log(2 * Math.PI));
      from.add(r.getInt(0));
    }
    return new Estimate(new GaussianClusters(means.toArray(double[][]::new), inverses.toArray(double[][][]::new),
        constants.stream().mapToDouble(Double::doubleValue).toArray()), from.stream().mapToInt(Integer::intValue)
        .toArray());
  }

  /** Gaussians estimated from a partition, and the segment number each came from. */
  record Estimate(GaussianClusters clusters, int[] from) {}

  /**
   * A refined partition: its Gaussians, classification BIC (−2 Σ best log-likelihood + parameters ×
   * ln n), rounds run, and per Gaussian the segment number of the starting partition it continues.
   */
  record Refined(GaussianClusters clusters, double bic, int rounds, int[] from) {}

  /**
   * Classification EM from the partition in {@code segment}: at most {@code rounds} rounds, fewer
   * when no customer moves; segments smaller than {@code minSize} are dissolved on the way. {@code points} should be cached; each round's partition is cached and
   * the previous one released.
   */
  static Refined refine(Dataset<Row> points, String point, String segment, int d, double[] ridge, int rounds,
      long minSize) {
    // Every round works on the same base rows: the partition is an expression of the point and the
    // previous round's Gaussians, so no plan grows with the rounds.
    Dataset<Row> base = points.withColumnRenamed(segment, "_initial");
    Column partition = col("_initial");
    GaussianClusters clusters = null;
    double bic = Double.NaN;
    int round = 0;
    Dataset<Row> current = null;
    try {
      while (round < rounds) {
        round++;
        current = base.withColumn(segment, partition).cache();
        Estimate e = estimate(current, point, segment, d, ridge, minSize);
        clusters = e.clusters();
        // Customers keep the segment numbers of the partition the Gaussians were estimated from.
        Object[] numbers = java.util.Arrays.stream(e.from()).boxed().toArray();
        Column best = clusters.assign(col(point));
        Column next = pick(numbers, best.getItem(0).cast("int"));
        Row r = current.withColumn("_best", best).withColumn("_next", pick(numbers, col("_best").getItem(0).cast("int")))
            .agg(sum(col("_next").notEqual(col(segment)).cast("long")), sum(col("_best").getItem(1)), count(lit(1)))
            .first();
        bic = -2 * r.getDouble(1) + clusters.parameters() * Math.log(r.getLong(2));
        current.unpersist();
        current = null;
        partition = next;
        if (r.getLong(0) == 0) {
          break;
        }
      }
      // The Gaussians of the final partition (numbered by the final assignment).
      current = base.withColumn(segment, partition).cache();
      Estimate last = estimate(current, point, segment, d, ridge, minSize);
      return new Refined(last.clusters(), bic, round, last.from());
    } finally {
      if (current != null) {
        current.unpersist();
      }
    }
  }

  /** {@code values[index]} as a column expression ({@code index} counts from 0). */
  static Column pick(Object[] values, Column index) {
    return org.apache.spark.sql.functions.element_at(org.apache.spark.sql.functions.array(
        java.util.Arrays.stream(values).map(org.apache.spark.sql.functions::lit).toArray(Column[]::new)), index.plus(1));
  }

  static double[][] cholesky(double[][] a) {
    int n = a.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int t = 0; t < j; t++) {
          s -= l[i][t] * l[j][t];
        }
        l[i][j] = i == j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j][j];
      }
    }
    return l;
  }

  static double[][] lowerInverse(double[][] l) {
    int n = l.length;
    double[][] r = new double[n][n];
    for (int j = 0; j < n; j++) {
      r[j][j] = 1 / l[j][j];
      for (int i = j + 1; i < n; i++) {
        double s = 0;
        for (int t = j; t < i; t++) {
          s -= l[i][t] * r[t][j];
        }
        r[i][j] = s / l[i][i];
      }
    }
    return r;
  }
}
