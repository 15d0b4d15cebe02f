package io.churnducks.models.churn;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.ml.regression.IsotonicRegressionModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.udf;

/**
 * Maps a model's score to a probability that matches observed churn rates. Fitted on scores a
 * model gave to examples of later as-of dates than it was trained on (the backtest folds), so it
 * corrects both the class weighting and the optimism of a model scoring its own training data.
 * <ul>
 *   <li>{@code platt}: logistic regression on the score's log-odds; keeps the ranking exactly;</li>
 *   <li>{@code isotonic}: a monotone step function (pool-adjacent-violators), interpolated
 *       between steps; more flexible, but flat steps tie accounts;</li>
 *   <li>{@code none}: the score as it is.</li>
 * </ul>
 */
public final class Calibration implements Serializable {

  public static final String PLATT = "platt";
  public static final String ISOTONIC = "isotonic";
  public static final String NONE = "none";

  private static final double EPS = 1e-6;

  private final String method;
  private final double slope;
  private final double intercept;
  private final double[] boundaries;
  private final double[] values;

  private Calibration(String method, double slope, double intercept, double[] boundaries, double[] values) {
    this.method = method;
    this.slope = slope;
    this.intercept = intercept;
    this.boundaries = boundaries;
    this.values = values;
  }

  public static Calibration identity() {
    return new Calibration(NONE, 1.0, 0.0, new double[0], new double[0]);
  }

  public static Calibration platt(double slope, double intercept) {
    return new Calibration(PLATT, slope, intercept, new double[0], new double[0]);
  }

  public static Calibration isotonic(double[] boundaries, double[] values) {
    if (boundaries.length == 0 || boundaries.length != values.length) {
      throw new IllegalArgumentException("Isotonic calibration needs as many values as boundaries (at least one)");
    }
    return new Calibration(ISOTONIC, 0.0, 0.0, boundaries.clone(), values.clone());
  }

  /**
   * Fits the mapping from {@code score} to the label on out-of-time predictions.
   *
   * @param method {@link #PLATT}, {@link #ISOTONIC} or {@link #NONE}
   */
  public static Calibration fit(Dataset<Row> predictions, String label, String score, String method) {
    switch (method) {
      case NONE:
        return identity();
      case PLATT: {
        Dataset<Row> logit = new VectorAssembler().setInputCols(new String[] {"__logit"}).setOutputCol("__x")
            .transform(predictions.withColumn("__logit", logit(col(score))));
        LogisticRegressionModel m = new LogisticRegression().setFeaturesCol("__x").setLabelCol(label).setRegParam(0.0)
            .setStandardization(false).setMaxIter(100).fit(logit);
        return platt(m.coefficients().apply(0), m.intercept());
      }
      case ISOTONIC: {
        IsotonicRegressionModel m = new IsotonicRegression().setFeaturesCol(score).setLabelCol(label)
            .fit(predictions);
        return isotonic(m.boundaries().toArray(), m.predictions().toArray());
      }
      default:
        throw new IllegalArgumentException("Unknown calibration '" + method + "' (use platt, isotonic or none)");
    }
  }

  public String method() {
    return method;
  }

  /** The parameters, for saving: slope and intercept (Platt), boundaries and values (isotonic). */
  public double[] parameters() {
    return new double[] {slope, intercept};
  }

  public double[] boundaries() {
    return boundaries.clone();
  }

  public double[] values() {
    return values.clone();
  }

  /** A saved calibration, from {@link #method()}, {@link #parameters()}, {@link #boundaries()}, {@link #values()}. */
  public static Calibration restore(String method, double[] parameters, double[] boundaries, double[] values) {
    switch (method) {
      case PLATT:
        return platt(parameters[0], parameters[1]);
      case ISOTONIC:
        return isotonic(boundaries, values);
      default:
        return identity();
    }
  }

  /** The calibrated probability of one score. */
  public double apply(double score) {
    switch (method) {
      case PLATT:
        double s = Math.min(Math.max(score, EPS), 1 - EPS);
        return 1.0 / (1.0 + Math.exp(-(slope * Math.log(s / (1 - s)) + intercept)));
      case ISOTONIC:
        int i = Arrays.binarySearch(boundaries, score);
        if (i >= 0) {
          return values[i];
        }
        int above = -i - 1;
        if (above == 0) {
          return values[0];
        }
        if (above == boundaries.length) {
          return values[boundaries.length - 1];
        }
        double w = (score - boundaries[above - 1]) / (boundaries[above] - boundaries[above - 1]);
        return values[above - 1] + w * (values[above] - values[above - 1]);
      default:
        return score;
    }
  }

  /** The calibrated probability of a score column. */
  public Column apply(Column score) {
    switch (method) {
      case PLATT:
        return lit(1.0).divide(lit(1.0).plus(exp(logit(score).multiply(slope).plus(intercept).multiply(-1))));
      case ISOTONIC:
        Calibration self = this;
        return udf((UDF1<Double, Double>) s -> s == null ? null : self.apply(s), DataTypes.DoubleType).apply(score);
      default:
        return score;
    }
  }

  /** A short description for logs and metadata. */
  public String describe() {
    switch (method) {
      case PLATT:
        return String.format(Locale.ROOT, "platt(slope %.4f, intercept %.4f)", slope, intercept);
      case ISOTONIC:
        return "isotonic(" + boundaries.length + " steps)";
      default:
        return NONE;
    }
  }

  private static Column logit(Column score) {
    Column s = least(greatest(score, lit(EPS)), lit(1 - EPS));
    return log(s.divide(lit(1).minus(s)));
  }
}
