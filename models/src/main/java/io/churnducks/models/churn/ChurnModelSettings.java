package io.churnducks.models.churn;

import java.util.List;

/**
 * Settings of the churn model, its backtest and its scores.
 *
 * @param horizonDays    churn within this many days after the as-of date is the positive label (default 90)
 * @param graceDays      a restart within this many days is a late renewal, not churn (default 30)
 * @param trainingMonths monthly as-of dates used for training (default 12)
 * @param backtestFolds  latest as-of dates each tested by a model trained on the dates whose
 *                       outcome was known by then (rolling origin; default 3)
 * @param candidates     the model configurations tried on the folds, in order of preference (the
 *                       clearest reasons first); the best pooled AUC is used, see {@code choiceMargin}
 * @param calibration    {@code platt}, {@code isotonic} or {@code none}, fitted on the folds' predictions
 * @param balanceClasses weight churners and stayers equally in training (the calibration restores
 *                       the real churn rate)
 * @param highTier       probability from which an account is tier {@code high} (default 0.30)
 * @param mediumTier     probability from which an account is tier {@code medium} (default 0.15)
 * @param reasons        reasons kept per account (default 3)
 * @param onboardingDays age in days up to which onboarding indicators can be an account's reasons (default 30)
 * @param choiceMargin   pooled backtest AUC by which a candidate must beat the one chosen among those
 *                       listed before it to be chosen instead: a difference smaller than the folds'
 *                       noise goes to the candidate listed first (0: the best AUC wins)
 */
public record ChurnModelSettings(
    int horizonDays,
    int graceDays,
    int trainingMonths,
    int backtestFolds,
    List<Candidate> candidates,
    String calibration,
    boolean balanceClasses,
    double highTier,
    double mediumTier,
    int reasons,
    int onboardingDays,
    double choiceMargin) {

  /** Settings whose best pooled AUC wins, however small its lead ({@code choiceMargin} 0). */
  public ChurnModelSettings(int horizonDays, int graceDays, int trainingMonths, int backtestFolds,
      List<Candidate> candidates, String calibration, boolean balanceClasses, double highTier, double mediumTier,
      int reasons, int onboardingDays) {
    this(horizonDays, graceDays, trainingMonths, backtestFolds, candidates, calibration, balanceClasses, highTier,
        mediumTier, reasons, onboardingDays, 0.0);
  }

  public ChurnModelSettings {
    if (horizonDays <= 0 || graceDays < 0) {
      throw new IllegalArgumentException("Cannot train churn model: horizon must be > 0 and grace >= 0 days");
    }
    if (backtestFolds < 1 || trainingMonths <= backtestFolds) {
      throw new IllegalArgumentException("Cannot train churn model: training months (" + trainingMonths
          + ") must exceed backtest folds (" + backtestFolds + ") and backtest folds must be >= 1");
    }
    if (candidates == null || candidates.isEmpty()) {
      throw new IllegalArgumentException("Cannot train churn model: model.candidates lists no model to try");
    }
    candidates = List.copyOf(candidates);
    if (!List.of(Calibration.PLATT, Calibration.ISOTONIC, Calibration.NONE).contains(calibration)) {
      throw new IllegalArgumentException("Cannot train churn model: unknown calibration '" + calibration
          + "' (use platt, isotonic or none)");
    }
    if (!(mediumTier > 0 && mediumTier <= highTier && highTier < 1)) {
      throw new IllegalArgumentException("Cannot score churn: need 0 < medium tier <= high tier < 1 (got "
          + mediumTier + ", " + highTier + ")");
    }
    if (!(choiceMargin >= 0 && choiceMargin < 0.5)) {
      throw new IllegalArgumentException("Cannot train churn model: the choice margin must be an AUC difference in "
          + "[0, 0.5), not " + choiceMargin);
    }
  }

  /** These settings with one candidate only (and the rest unchanged). */
  public ChurnModelSettings withCandidates(List<Candidate> only) {
    return new ChurnModelSettings(horizonDays, graceDays, trainingMonths, backtestFolds, only, calibration,
        balanceClasses, highTier, mediumTier, reasons, onboardingDays, choiceMargin);
  }
}
