package io.churnducks.models.churn;

import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;

import java.util.Arrays;
import java.util.List;

/**
 * A blend's churn probability from the vector its trees read ({@link ChurnPipeline#ASSEMBLED}):
 * the trees' probability (MLlib's, or XGBoost's through {@link XgboostScorer}), and the logistic
 * regression's on the same vector made linear the way the pipeline makes it (configured slots
 * log-scaled, category indices one-hot encoded, standardised), averaged. {@link ReasonCodes}
 * substitutes slots of that one vector, so a reason moves both members at once. A test holds it to
 * the pipeline's own score on every row.
 */
final class BlendScorer implements ReasonCodes.Scorer {

  /** The tree member's churn probability of the vector. */
  private final ReasonCodes.Scorer trees;
  private final LogisticRegressionModel linear;
  /** Per value slot (the first of the vector): whether the linear member reads ln(1 + max(x, 0)). */
  private final boolean[] logged;
  /** Missing-value flags that follow the value slots. */
  private final int flags;
  /** One-hot width of each category index slot (the last slots of the vector). */
  private final int[] categorySizes;
  private final double[] mean;
  private final double[] scale;

  private BlendScorer(ReasonCodes.Scorer trees, LogisticRegressionModel linear, boolean[] logged, int flags,
      int[] categorySizes, double[] mean, double[] scale) {
    this.trees = trees;
    this.linear = linear;
    this.logged = logged;
    this.flags = flags;
    this.categorySizes = categorySizes;
    this.mean = mean;
    this.scale = scale;
  }

  /**
   * @param pipeline  a fitted blend pipeline ({@link ChurnPipeline#build} of a blend candidate)
   * @param numeric   its numeric indicators, in pipeline order
   * @param logScaled those the linear member log-scales
   * @param flags     how many missing-value slots follow the numeric ones
   */
  static BlendScorer of(PipelineModel pipeline, List<String> numeric, List<String> logScaled, int flags) {
    List<Transformer> stages = Arrays.asList(pipeline.stages());
    StandardScalerModel scaler = only(stages, StandardScalerModel.class);
    int[] sizes = stages.stream().filter(OneHotEncoderModel.class::isInstance).map(OneHotEncoderModel.class::cast)
        .findFirst().map(BlendScorer::encodedSizes).orElse(new int[0]);
    boolean[] logged = new boolean[numeric.size()];
    for (int i = 0; i < logged.length; i++) {
      logged[i] = logScaled.contains(numeric.get(i));
    }
    double[] std = scaler.std().toArray();
    int width = numeric.size() + flags + Arrays.stream(sizes).sum();
    if (std.length != width) {
      throw new IllegalStateException("A blend's linear inputs hold " + std.length + " slots, expected " + width);
    }
    double[] scale = Arrays.stream(std).map(s -> s == 0 ? 0 : 1 / s).toArray();
    ReasonCodes.Scorer trees = stages.stream().anyMatch(XGBoostClassificationModel.class::isInstance)
        ? XgboostScorer.of(only(stages, XGBoostClassificationModel.class))
        : gbt(only(stages, GBTClassificationModel.class));
    return new BlendScorer(trees, only(stages, LogisticRegressionModel.class), logged, flags, sizes,
        scaler.mean().toArray(), scale);
  }

  private static ReasonCodes.Scorer gbt(GBTClassificationModel trees) {
    return x -> trees.predictProbability(x).apply(1);
  }

  /** The output width of each encoded category (kept unseen values, last category dropped, as the pipeline sets). */
  private static int[] encodedSizes(OneHotEncoderModel encoder) {
    boolean keep = "keep".equals(encoder.getHandleInvalid());
    boolean dropLast = encoder.getDropLast();
    return Arrays.stream(encoder.categorySizes()).map(s -> s + (keep ? 1 : 0) - (dropLast ? 1 : 0)).toArray();
  }

  private static <T> T only(List<Transformer> stages, Class<T> type) {
    return stages.stream().filter(type::isInstance).map(type::cast).findFirst()
        .orElseThrow(() -> new IllegalStateException("A blend pipeline without a " + type.getSimpleName()));
  }

  @Override
  public double probability(Vector x) {
    return (trees.probability(x) + linear.predictProbability(linearInputs(x)).apply(1)) / 2;
  }

  /** The standardised vector the linear member reads, from the trees' vector. */
  Vector linearInputs(Vector x) {
    double[] z = new double[mean.length];
    int values = logged.length;
    for (int i = 0; i < values; i++) {
      double v = x.apply(i);
      z[i] = logged[i] ? Math.log1p(Math.max(v, 0)) : v;
    }
    for (int i = values; i < values + flags; i++) {
      z[i] = x.apply(i);
    }
    int at = values + flags;
    for (int j = 0; j < categorySizes.length; j++) {
      int index = (int) x.apply(values + flags + j);
      if (index >= 0 && index < categorySizes[j]) {
        z[at + index] = 1.0;
      }
      at += categorySizes[j];
    }
    for (int i = 0; i < z.length; i++) {
      z[i] = (z[i] - mean[i]) * scale[i];
    }
    return Vectors.dense(z);
  }
}
