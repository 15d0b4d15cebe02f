package io.churnducks.jobs.nightly;

import io.churnducks.models.churn.BinaryMetrics;
import io.churnducks.models.churn.ChurnTraining;
import io.churnducks.models.churn.RollingBacktest;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the run's backtest said, for the summary and the manifest (small values only).
 *
 * @param chosen          the candidate that scored the run
 * @param candidateAuc    pooled backtest AUC of every candidate, in configured order (NaN: no usable fold)
 * @param pooled          the chosen candidate's pooled fold metrics (uncalibrated scores)
 * @param calibrated      the same after calibration fitted on earlier folds
 * @param usableFolds     folds that could be evaluated
 * @param folds           folds planned
 * @param testDates       as-of dates of the usable folds
 * @param undefined       why nothing could be measured, or null
 */
public record Evaluation(String chosen, Map<String, Double> candidateAuc, BinaryMetrics pooled,
    BinaryMetrics calibrated, long usableFolds, int folds, List<LocalDate> testDates, String undefined) {

  public static Evaluation of(ChurnTraining.Trained t) {
    Map<String, Double> aucs = new LinkedHashMap<>();
    t.backtests().forEach(r -> aucs.put(r.candidate().label(), r.auc()));
    RollingBacktest.Result c = t.chosen();
    return new Evaluation(t.model().candidate().label(), aucs, c.pooled(), c.calibrated(), c.usableFolds(),
        c.folds().size(), c.folds().stream().filter(RollingBacktest.Fold::usable).map(f -> f.plan().testDate()).toList(),
        t.undefined());
  }

  /** One line: the chosen model and its pooled backtest, or why the backtest is undefined. */
  public String describe() {
    if (undefined != null) {
      return chosen + "; backtest undefined: " + undefined;
    }
    return String.format(Locale.ROOT, "%s (best of %d candidates); pooled backtest AUC %.3f over %d of %d folds "
            + "(%s..%s, %,d examples, churn rate %.1f%%), top-decile lift %.2f, calibrated ECE %s",
        chosen, candidateAuc.size(), pooled.auc(), usableFolds, folds, testDates.get(0),
        testDates.get(testDates.size() - 1), pooled.examples(), 100 * pooled.churnRate(), pooled.topDecileLift(),
        Double.isNaN(calibrated.ece()) ? "undefined (needs two usable folds)"
            : String.format(Locale.ROOT, "%.3f", calibrated.ece()));
  }
}
