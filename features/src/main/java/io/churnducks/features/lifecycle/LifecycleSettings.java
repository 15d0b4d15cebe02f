package io.churnducks.features.lifecycle;

/**
 * Settings of the lifecycle analytics ({@code economics.*} in the configuration).
 *
 * @param grossMargin          share of revenue left after the cost of delivering the product, in
 *                             [0, 1] (default 0.8); LTV, payback and each account's margin use it
 * @param churnWindowMonths    months of confirmed churn the monthly churn rate is measured over
 *                             (default 6), ending {@code grace-days} before the run date
 * @param newAccountsMonths    months before the run date over which new accounts per month are
 *                             counted (default 6)
 * @param peoplePerLoginAbove  people per login above which an account shares its logins and is
 *                             offered more seats (default 2.0: a person on a laptop and a phone is
 *                             two devices, so two is still one person)
 */
public record LifecycleSettings(double grossMargin, int churnWindowMonths, int newAccountsMonths,
    double peoplePerLoginAbove) {

  public LifecycleSettings {
    if (!(grossMargin >= 0 && grossMargin <= 1)) {
      throw new IllegalArgumentException("a gross margin in [0, 1] is needed, not " + grossMargin);
    }
    if (churnWindowMonths < 1) {
      throw new IllegalArgumentException("the churn window needs at least 1 month, not " + churnWindowMonths);
    }
    if (newAccountsMonths < 1) {
      throw new IllegalArgumentException("new accounts are counted over at least 1 month, not " + newAccountsMonths);
    }
    if (!(peoplePerLoginAbove >= 1)) {
      throw new IllegalArgumentException("a people-per-login threshold of at least 1 is needed, not "
          + peoplePerLoginAbove);
    }
  }

  /** The defaults of {@code reference.conf}. */
  public static LifecycleSettings defaults() {
    return new LifecycleSettings(0.8, 6, 6, 2.0);
  }
}
