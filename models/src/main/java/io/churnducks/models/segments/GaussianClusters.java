package io.churnducks.models.segments;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

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
    return k() * parametersPerSegment(d) + k() - 1;
  }

  /** (segment number, log-likelihood under it) of the most likely segment of {@code x}. */
  public double[] best(double[] x) {
    double[] l = logLikelihoods(x);
    int best = argmax(l);
    return new double[] {best, best < 0 ? Double.NEGATIVE_INFINITY : l[best]};
  }

  /** ln(share × density) of {@code x} under every segment. */
  private double[] logLikelihoods(double[] x) {
    double[] l = new double[means.length];
    for (int g = 0; g < means.length; g++) {
      l[g] = logLikelihood(g, x);
    }
    return l;
  }

  /** Index of the first largest value (-1 when none exceeds negative infinity). */
  private static int argmax(double[] l) {
    int best = -1;
    double max = Double.NEGATIVE_INFINITY;
    for (int g = 0; g < l.length; g++) {
      if (l[g] > max) {
        max = l[g];
        best = g;
      }
    }
    return best;
  }

  /** ln(share × density) of {@code x} under segment {@code g}. */
  double logLikelihood(int g, double[] x) {
    double q = 0;
    for (int i = 0; i < x.length; i++) {
      double y = 0;
      for (int j = 0; j <= i; j++) {
        y += lowerInverse[g][i][j] * (x[j] - means[g][j]);
      }
      q += y * y;
    }
    return constants[g] - 0.5 * q;
  }

  /**
   * {@link #best} of {@code x} and, third, ln of its mixture density (the sum over segments of
   * share × density), each segment's term computed once; the most likely term is factored out of the
   * sum so it cannot underflow.
   */
  double[] bestWithMixture(double[] x) {
    double[] l = logLikelihoods(x);
    int best = argmax(l);
    double sum = 0;
    for (double v : l) {
      sum += Math.exp(v - l[best]);
    }
    return new double[] {best, l[best], l[best] + Math.log(sum)};
  }

  /** Free parameters of one segment: its mean and covariance in {@code d} dimensions. */
  static double parametersPerSegment(int d) {
    return d + d * (d + 1) / 2.0;
  }

  /**
   * Twice the minimum message length of a Gaussian mixture (Figueiredo and Jain, "Unsupervised
   * learning of finite mixture models", IEEE TPAMI 2002), on the BIC's scale (lower is better):
   * −2 × mixture log-likelihood + Σ_g N ln(n π_g / 12) + k ln(n / 12) + k (N + 1), with N the
   * parameters of one segment. Unlike BIC, which prices every parameter at ln n, a segment's
   * parameters are priced at the log of the customers they are estimated from (n π_g): a small,
   * distinct customer type is worth a segment of its own when its customers' likelihood pays for
   * the parameters they support. A segment's term is never below 0.
   */
  static double messageLength(double mixtureLogLikelihood, double[] shares, double n, int d) {
    double per = parametersPerSegment(d);
    double length = -2 * mixtureLogLikelihood + shares.length * (Math.log(n / 12) + per + 1);
    for (double share : shares) {
      length += per * Math.max(0, Math.log(n * share / 12));
    }
    return length;
  }

  /**
   * The segment number of {@code x} for a customer that was in segment {@code current} (null when
   * it was in none of these): it stays there unless its most likely segment is more than
   * e^{@code margin} times as likely (share × density), so a customer on the border of two segments
   * does not change segment with every small move.
   */
  int stickyBest(double[] x, Integer current, double margin) {
    double[] best = best(x);
    if (current == null || current < 0 || current >= means.length || current == (int) best[0]) {
      return (int) best[0];
    }
    return best[1] - logLikelihood(current, x) > margin ? (int) best[0] : current;
  }

  /** {@link #stickyBest} of the vector column {@code point} and the segment number column {@code current}. */
  public Column assignSticky(Column point, Column current, double margin) {
    GaussianClusters self = this;
    return udf((UDF2<Vector, Integer, Integer>) (v, c) -> self.stickyBest(v.toArray(), c, margin),
        DataTypes.IntegerType).apply(point, current);
  }

  /** {@code [segment number, log-likelihood]} of the vector column {@code point}. */
  public Column assign(Column point) {
    GaussianClusters self = this;
    return udf((UDF1<Vector, double[]>) v -> self.best(v.toArray()), DataTypes.createArrayType(DataTypes.DoubleType))
        .apply(point);
  }

  /**
   * The Gaussians of a partition from its per-segment moments; a segment with fewer than
   * {@code minSize} customers (and at least dimensions + 1) is dissolved: its customers move to their
   * most likely other segment on the next assignment.
   *
   * @return the Gaussians and, per Gaussian, the segment number it was estimated from
   */
  static Estimate estimate(Moments moments, int d, double[] ridge, long minSize) {
    double n = moments.customers();
    List<double[]> means = new ArrayList<>();
    List<double[][]> inverses = new ArrayList<>();
    List<Double> constants = new ArrayList<>();
    List<Integer> from = new ArrayList<>();
    List<Double> shares = new ArrayList<>();
    for (Map.Entry<Integer, double[]> e : new TreeMap<>(moments.perSegment).entrySet()) {
      double[] r = e.getValue();
      double m = r[0];
      if (m < Math.max(d + 1, minSize)) {
        continue;
      }
      double[] mu = new double[d];
      for (int i = 0; i < d; i++) {
        mu[i] = r[1 + i] / m;
      }
      double[][] cov = new double[d][d];
      int at = 1 + d;
      for (int i = 0; i < d; i++) {
        for (int j = 0; j <= i; j++) {
          cov[i][j] = r[at++] / m - mu[i] * mu[j] + (i == j ? ridge[i] : 0.0);
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
      from.add(e.getKey());
      shares.add(m / n);
    }
    return new Estimate(new GaussianClusters(means.toArray(double[][]::new), inverses.toArray(double[][][]::new),
        constants.stream().mapToDouble(Double::doubleValue).toArray()), from.stream().mapToInt(Integer::intValue)
        .toArray(), shares.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * Gaussians estimated from a partition, the segment number each came from (a customer most
   * likely under Gaussian g belongs to segment {@code from[g]}) and each one's share of the customers.
   */
  record Estimate(GaussianClusters clusters, int[] from, double[] shares) implements Serializable {

    int segment(double[] x) {
      return from[(int) clusters.best(x)[0]];
    }
  }

  /**
   * A refined partition: its Gaussians, classification BIC (−2 Σ best log-likelihood + parameters ×
   * ln n), the {@link #messageLength} of the Gaussians as a mixture, rounds run, and per Gaussian the
   * segment number of the starting partition it continues.
   */
  record Refined(GaussianClusters clusters, double bic, double messageLength, int rounds, int[] from) {}

  /**
   * One pass's sums: per segment number, the count, the sum of the points and of their cross
   * products (lower triangle), plus how many customers changed segment, the total best
   * log-likelihood under the Gaussians they were assigned by and the total log-likelihood under those
   * Gaussians as a mixture. Only k × d × d numbers reach the driver.
   */
  static final class Moments implements Serializable {
    private final int d;
    private final Map<Integer, double[]> perSegment = new HashMap<>();
    private long moved;
    private double logLikelihood;
    private double mixtureLogLikelihood;

    Moments(int d) {
      this.d = d;
    }

    long customers() {
      return perSegment.values().stream().mapToLong(r -> (long) r[0]).sum();
    }

    Moments add(int segment, double[] x) {
      double[] r = perSegment.computeIfAbsent(segment, s -> new double[1 + d + d * (d + 1) / 2]);
      r[0]++;
      int at = 1 + d;
      for (int i = 0; i < d; i++) {
        r[1 + i] += x[i];
        for (int j = 0; j <= i; j++) {
          r[at++] += x[i] * x[j];
        }
      }
      return this;
    }

    Moments merge(Moments other) {
      other.perSegment.forEach((segment, r) -> {
        double[] mine = perSegment.get(segment);
        if (mine == null) {
          perSegment.put(segment, r);
        } else {
          for (int i = 0; i < r.length; i++) {
            mine[i] += r[i];
          }
        }
      });
      moved += other.moved;
      logLikelihood += other.logLikelihood;
      mixtureLogLikelihood += other.mixtureLogLikelihood;
      return this;
    }
  }

  /**
   * Classification EM from the partition in {@code segment}: at most {@code rounds} rounds, fewer
   * when no customer moves; segments smaller than {@code minSize} are dissolved on the way.
   *
   * <p>Each round is one distributed pass that assigns every customer by the latest Gaussians and
   * sums the moments of that partition (for the next Gaussians), the log-likelihoods (for the
   * latest Gaussians' BIC and message length) and the customers that moved (assigned again by the Gaussians before, so
   * no per-customer state is kept between rounds). The points are held in memory for the refinement.
   */
  static Refined refine(Dataset<Row> points, String point, String segment, int d, double[] ridge, int rounds,
      long minSize) {
    JavaRDD<Labelled> data = points.select(col(segment), col(point)).javaRDD()
        .map(r -> new Labelled(r.getInt(0), ((Vector) r.get(1)).toArray())).persist(StorageLevel.MEMORY_ONLY());
    try {
      Estimate before = null;
      Estimate latest = null;
      double bic = Double.NaN;
      double messageLength = Double.NaN;
      for (int round = 0; ; round++) {
        Estimate by = latest;
        Estimate byBefore = before;
        Moments m = data.treeAggregate(new Moments(d), (acc, p) -> {
          if (by == null) {
            return acc.add(p.segment(), p.x());
          }
          double[] best = by.clusters().bestWithMixture(p.x());
          int now = by.from()[(int) best[0]];
          int was = byBefore == null ? p.segment() : byBefore.segment(p.x());
          acc.logLikelihood += best[1];
          acc.mixtureLogLikelihood += best[2];
          acc.moved += now == was ? 0 : 1;
          return acc.add(now, p.x());
        }, Moments::merge);
        if (latest != null) {
          bic = -2 * m.logLikelihood + latest.clusters().parameters() * Math.log(m.customers());
          messageLength = messageLength(m.mixtureLogLikelihood, latest.shares(), m.customers(), d);
        }
        Estimate next = estimate(m, d, ridge, minSize);
        if (latest != null && m.moved == 0 || round == rounds || next.clusters().k() == 0) {
          // No one moved (the next Gaussians are the latest's), the rounds are spent, or no segment is left.
          return new Refined(next.clusters(), bic, messageLength, round, next.from());
        }
        before = latest;
        latest = next;
      }
    } finally {
      data.unpersist(false);
    }
  }

  /** A customer's starting segment number and point. */
  private record Labelled(int segment, double[] x) implements Serializable {}

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
