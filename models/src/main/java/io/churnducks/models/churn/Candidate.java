package io.churnducks.models.churn;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One model configuration the backtest tries: an elastic-net logistic regression, gradient-boosted
 * trees (Spark MLlib's), XGBoost's regularised boosted trees (Newton steps on the log loss, an L2
 * penalty on leaf weights and a least Hessian weight per leaf: steadier leaves where churners are
 * few), or a blend of logistic regression and boosted trees, MLlib's or XGBoost's (the mean of the
 * two members' probabilities: trees find interactions and thresholds, the linear model
 * extrapolates smoothly where the trees' leaves are coarse, and their errors are only partly
 * shared), with fixed hyper-parameters. The configured list is the whole (small, fixed) search:
 * every candidate is backtested on the same temporal folds and the best pooled AUC wins.
 *
 * @param type       {@link #LOGISTIC_REGRESSION}, {@link #GRADIENT_BOOSTED_TREES}, {@link #XGBOOST}, {@link #BLEND}
 *                   or {@link #XGBOOST_BLEND}
 * @param regParam   regularisation strength (logistic regression and a blend's regression; an
 *                   {@link #XGBOOST} candidate's L2 penalty on leaf weights, lambda)
 * @param elasticNet share of L1 in the regularisation, 0 = ridge (logistic regression)
 * @param maxDepth   depth of each tree (boosted trees)
 * @param trees      boosting iterations (boosted trees, XGBoost's rounds)
 * @param stepSize   learning rate (boosted trees, XGBoost's eta)
 * @param subsample  share of the examples each tree is fitted on, drawn anew per tree (boosted trees;
 *                   1 = all; 0, as a model card written before this setting reads, means 1)
 * @param minChildWeight XGBoost only: the least sum of Hessians (about p(1 - p) per example) a leaf
 *                   must hold, so no leaf rests on a handful of churners
 */
public record Candidate(String type, double regParam, double elasticNet, int maxDepth, int trees, double stepSize,
    double subsample, double minChildWeight) implements Serializable {

  public static final String LOGISTIC_REGRESSION = "logistic-regression";
  public static final String GRADIENT_BOOSTED_TREES = "gradient-boosted-trees";
  public static final String XGBOOST = "xgboost";
  /**
   * Logistic regression and MLlib's boosted trees, trained on the same examples; the score is the
   * mean of their probabilities.
   */
  public static final String BLEND = "blend";
  /**
   * Logistic regression and XGBoost's trees (with XGBoost's default lambda of 1), trained on the
   * same examples; the score is the mean of their probabilities.
   */
  public static final String XGBOOST_BLEND = "xgboost-blend";
  /** XGBoost's default L2 penalty on leaf weights, which an {@link #XGBOOST_BLEND}'s trees keep. */
  public static final double XGBOOST_LAMBDA = 1.0;
  private static final List<String> TYPES = List.of(LOGISTIC_REGRESSION, GRADIENT_BOOSTED_TREES, XGBOOST, BLEND,
      XGBOOST_BLEND);

  public Candidate {
    subsample = subsample == 0 ? 1.0 : subsample;
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("Cannot train churn model: unknown candidate type '" + type + "' (use "
          + String.join(", ", TYPES.subList(0, TYPES.size() - 1)) + " or " + TYPES.get(TYPES.size() - 1) + ")");
    }
    if ((isXgboost() && regParam < 0) || (usesXgboost() && minChildWeight < 0)) {
      throw new IllegalArgumentException("Cannot train churn model: xgboost needs reg-param (lambda) >= 0 and "
          + "min-child-weight >= 0 (got " + regParam + ", " + minChildWeight + ")");
    }
    if ((LOGISTIC_REGRESSION.equals(type) || BLEND.equals(type) || XGBOOST_BLEND.equals(type))
        && (regParam < 0 || elasticNet < 0 || elasticNet > 1)) {
      throw new IllegalArgumentException("Cannot train churn model: logistic regression needs reg-param >= 0 and "
          + "0 <= elastic-net <= 1 (got " + regParam + ", " + elasticNet + ")");
    }
    if (!LOGISTIC_REGRESSION.equals(type) && (maxDepth < 1 || maxDepth > 12 || trees < 1
        || !(stepSize > 0 && stepSize <= 1) || !(subsample > 0 && subsample <= 1))) {
      throw new IllegalArgumentException("Cannot train churn model: boosted trees need 1 <= max-depth <= 12, "
          + "trees >= 1, 0 < step-size <= 1 and 0 < subsample <= 1 (got " + maxDepth + ", " + trees + ", "
          + stepSize + ", " + subsample + ")");
    }
  }

  public static Candidate logisticRegression(double regParam, double elasticNet) {
    return new Candidate(LOGISTIC_REGRESSION, regParam, elasticNet, 0, 0, 0.0, 1.0, 0.0);
  }

  public static Candidate boostedTrees(int maxDepth, int trees, double stepSize) {
    return boostedTrees(maxDepth, trees, stepSize, 1.0);
  }

  public static Candidate boostedTrees(int maxDepth, int trees, double stepSize, double subsample) {
    return new Candidate(GRADIENT_BOOSTED_TREES, 0.0, 0.0, maxDepth, trees, stepSize, subsample, 0.0);
  }

  /**
   * XGBoost's boosted trees.
   *
   * @param lambda         L2 penalty on leaf weights
   * @param minChildWeight least sum of Hessians per leaf
   */
  public static Candidate xgboost(int maxDepth, int rounds, double eta, double subsample, double lambda,
      double minChildWeight) {
    return new Candidate(XGBOOST, lambda, 0.0, maxDepth, rounds, eta, subsample, minChildWeight);
  }

  public boolean isXgboost() {
    return XGBOOST.equals(type);
  }

  /** Whether its trees are XGBoost's (an {@link #XGBOOST} candidate or an {@link #XGBOOST_BLEND}'s trees). */
  public boolean usesXgboost() {
    return XGBOOST.equals(type) || XGBOOST_BLEND.equals(type);
  }

  /** The boosted trees of this candidate (itself, or a blend's tree member). */
  public Candidate treeMember() {
    return XGBOOST_BLEND.equals(type) ? xgboost(maxDepth, trees, stepSize, subsample, XGBOOST_LAMBDA, minChildWeight)
        : XGBOOST.equals(type) ? this : boostedTrees(maxDepth, trees, stepSize, subsample);
  }

  /** The logistic regression of a blend. */
  public Candidate linearMember() {
    return logisticRegression(regParam, elasticNet);
  }

  /**
   * A blend of {@code trees} and {@code linear}: the trees' depth, count, step, subsample (and
   * XGBoost's least Hessian weight per leaf), the regression's penalty. MLlib's trees make a
   * {@link #BLEND}, XGBoost's (with lambda 1) an {@link #XGBOOST_BLEND}.
   */
  public static Candidate blend(Candidate trees, Candidate linear) {
    if (trees.isXgboost() && trees.regParam != XGBOOST_LAMBDA) {
      throw new IllegalArgumentException("Cannot train churn model: an xgboost-blend's trees keep lambda "
          + XGBOOST_LAMBDA + " (got " + trees.regParam + ")");
    }
    return new Candidate(trees.isXgboost() ? XGBOOST_BLEND : BLEND, linear.regParam, linear.elasticNet,
        trees.maxDepth, trees.trees, trees.stepSize, trees.subsample, trees.isXgboost() ? trees.minChildWeight : 0.0);
  }

  /**
   * Whether the model has trees, which read values as they are (no log scaling, categories as
   * indices): the classifier input is then {@link ChurnPipeline#ASSEMBLED}.
   */
  public boolean usesTrees() {
    return !LOGISTIC_REGRESSION.equals(type);
  }

  public boolean isBlend() {
    return BLEND.equals(type) || XGBOOST_BLEND.equals(type);
  }

  /**
   * Short algorithm name used in model versions ({@code logreg}, {@code gbt}, {@code xgb}, {@code blend},
   * {@code xblend}).
   */
  public String family() {
    return switch (type) {
      case GRADIENT_BOOSTED_TREES -> "gbt";
      case XGBOOST -> "xgb";
      case BLEND -> "blend";
      case XGBOOST_BLEND -> "xblend";
      default -> "logreg";
    };
  }

  /** A readable description, e.g. {@code gbt(depth 4, 100 trees, step 0.1)}. */
  public String label() {
    String boosted = String.format(Locale.ROOT, "gbt(depth %d, %d trees, step %s%s)", maxDepth, trees, stepSize,
        subsample < 1 ? ", subsample " + subsample : "");
    String linear = String.format(Locale.ROOT, "logreg(reg %s, l1 share %s)", regParam, elasticNet);
    String xgb = String.format(Locale.ROOT, "xgboost(depth %d, %d rounds, eta %s%s, lambda %s, min child weight %s)",
        maxDepth, trees, stepSize, subsample < 1 ? ", subsample " + subsample : "",
        XGBOOST_BLEND.equals(type) ? XGBOOST_LAMBDA : regParam, minChildWeight);
    return switch (type) {
      case GRADIENT_BOOSTED_TREES -> boosted;
      case XGBOOST -> xgb;
      case BLEND -> "blend(" + boosted + " + " + linear + ")";
      case XGBOOST_BLEND -> "blend(" + xgb + " + " + linear + ")";
      default -> linear;
    };
  }
}
