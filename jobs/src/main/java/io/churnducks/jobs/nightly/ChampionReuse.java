package io.churnducks.jobs.nightly;

import io.churnducks.features.indicators.IndicatorSettings;
import io.churnducks.models.churn.ChurnModel;
import io.churnducks.models.churn.ChurnModelSettings;

import java.time.LocalDate;
import java.util.List;

/** When a night scores with the champion model instead of training a new one. */
final class ChampionReuse {

  private ChampionReuse() {}

  /**
   * What a model is trained with: its inputs, the industries kept, the training and backtest
   * settings and the indicator settings. A champion is reused only by runs with the same recipe.
   */
  static String recipe(ChurnModel.Columns columns, ChurnModelSettings ms, List<String> industries,
      IndicatorSettings indicators) {
    // The reasons' behavioural groups are measured on each night's examples: a model keeps its own.
    return Integer.toHexString(java.util.Objects.hash(columns.withReasonGroups(java.util.Map.of()), industries,
        ms.horizonDays(), ms.graceDays(), ms.trainingMonths(), ms.backtestFolds(), ms.candidates(), ms.calibration(),
        ms.balanceClasses(), ms.choiceMargin(), indicators.fingerprint()));
  }

  /**
   * Whether tonight can score with a saved model: same recipe, trained for this run date or an
   * earlier one (a backfill of an older date never uses outcomes later than it), and not older than
   * {@code model.max-age-days}.
   */
  static boolean reusable(ChurnModel.Card card, String recipe, LocalDate runDate, long maxAgeDays) {
    LocalDate trainedFor = LocalDate.parse(card.runDate());
    return card.recipe().equals(recipe) && !trainedFor.isAfter(runDate)
        && java.time.temporal.ChronoUnit.DAYS.between(trainedFor, runDate) <= maxAgeDays;
  }
}
