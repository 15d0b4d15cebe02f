package io.churnducks.models.churn;

import java.io.Serializable;
import java.util.Locale;

/**
 * One model configuration the backtest tries: an elastic-net logistic regression or gradient-boosted
 * trees with fixed hyper-parameters. The configured list is the whole (small, fixed) search: every
 * candidate is backtested on the same temporal folds and the best pooled AUC wins.
 *
 * @param type       {@link #LOGISTIC_REGRESSION} or {@link #GRADIENT_BOOSTED_TREES}
 * @param regParam   regularisation strength (logistic regression)
 * @param elasticNet share of L1 in the regularisation, 0 = ridge (logistic regression)
 * @param maxDepth   depth of each tree (boosted trees)
 * @param trees      boosting iterations (boosted trees)
 * @param stepSize   learning rate (boosted trees)
 */
public record Candidate(String type, double regParam, double elasticNet, int maxDepth, int trees, double stepSize)
    implements Serializable {

  public static final String LOGISTIC_REGRESSION = "logistic-regression";
  public static final String GRADIENT_BOOSTED_TREES = "gradient-boosted-trees";

  public Candidate {
    if (LOGISTIC_REGRESSION.equals(type)) {
      if (regParam < 0 || elasticNet < 0 || elasticNet > 1) {
        throw new IllegalArgumentException("Cannot train churn model: logistic regression needs reg-param >= 0 and "
            + "0 <= elastic-net <= 1 (got " + regParam + ", " + elasticNet + ")");
      }
    } else if (GRADIENT_BOOSTED_TREES.equals(type)) {
      if (maxDepth < 1 || maxDepth > 12 || trees < 1 || !(stepSize > 0 && stepSize <= 1)) {
        throw new IllegalArgumentException("Cannot train churn model: boosted trees need 1 <= max-depth <= 12, "
            + "trees >= 1 and 0 < step-size <= 1 (got " + maxDepth + ", " + trees + ", " + stepSize + ")");
      }
    } else {
      throw new IllegalArgumentException("Cannot train churn model: unknown candidate type '" + type + "' (use "
          + LOGISTIC_REGRESSION + " or " + GRADIENT_BOOSTED_TREES + ")");
    }
  }

  public static Candidate logisticRegression(double regParam, double elasticNet) {
    return new Candidate(LOGISTIC_REGRESSION, regParam, elasticNet, 0, 0, 0.0);
  }

  public static Candidate boostedTrees(int maxDepth, int trees, double stepSize) {
    return new Candidate(GRADIENT_BOOSTED_TREES, 0.0, 0.0, maxDepth, trees, stepSize);
  }

  public boolean usesTrees() {
    return GRADIENT_BOOSTED_TREES.equals(type);
  }

  /** Short algorithm name used in model versions ({@code logreg}, {@code gbt}). */
  public String family() {
    return usesTrees() ? "gbt" : "logreg";
  }

  /** A readable description, e.g. {@code gbt(depth 4, 100 trees, step 0.1)}. */
  public String label() {
    return usesTrees()
        ? String.format(Locale.ROOT, "gbt(depth %d, %d trees, step %s)", maxDepth, trees, stepSize)
        : String.format(Locale.ROOT, "logreg(reg %s, l1 share %s)", regParam, elasticNet);
  }
}
