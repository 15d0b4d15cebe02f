package io.churnducks.models.churn;

/**
 * Settings of the churn model and its scores.
 *
 * @param horizonDays     churn within this many days after the as-of date is the positive label (default 90)
 * @param graceDays       a restart within this many days is a late renewal, not churn (default 30)
 * @param trainingMonths  monthly as-of dates used for training (default 12)
 * @param backtestMonths  latest training as-of dates held out to measure AUC (default 3)
 * @param regParam        L2/L1 regularisation strength of the logistic regression (default 0.01)
 * @param elasticNet      mix of L1 in the regularisation, 0 = ridge (default 0.0)
 * @param highTier        probability from which an account is tier {@code high} (default 0.30)
 * @param mediumTier      probability from which an account is tier {@code medium} (default 0.15)
 * @param reasons         reasons kept per account (default 3)
 */
public record ChurnModelSettings(
    int horizonDays,
    int graceDays,
    int trainingMonths,
    int backtestMonths,
    double regParam,
    double elasticNet,
    double highTier,
    double mediumTier,
    int reasons) {

  public ChurnModelSettings {
    if (horizonDays <= 0 || graceDays < 0) {
      throw new IllegalArgumentException("Cannot train churn model: horizon must be > 0 and grace >= 0 days");
    }
    if (backtestMonths < 1 || trainingMonths <= backtestMonths) {
      throw new IllegalArgumentException("Cannot train churn model: training months (" + trainingMonths
          + ") must exceed backtest months (" + backtestMonths + ") and backtest months must be >= 1");
    }
    if (!(mediumTier > 0 && mediumTier <= highTier && highTier < 1)) {
      throw new IllegalArgumentException("Cannot score churn: need 0 < medium tier <= high tier < 1 (got "
          + mediumTier + ", " + highTier + ")");
    }
  }
}
