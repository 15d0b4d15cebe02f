package io.churnducks.models.churn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which backtested candidate is chosen: the list is an order of preference, the margin its strength. */
class CandidateChoiceTest {

  private static final Candidate LINEAR = Candidate.logisticRegression(0.01, 0.0);
  private static final Candidate TREES = Candidate.xgboost(4, 200, 0.05, 0.8, 1.0, 5.0);
  private static final Candidate BLEND = Candidate.blend(TREES, LINEAR);

  private static RollingBacktest.Result backtested(Candidate c, double auc) {
    BinaryMetrics pooled = new BinaryMetrics(1000, 0.1, auc, 0.3, 0.3, 0.09, 0.01, 3.0, 0.3, List.of(), List.of());
    return new RollingBacktest.Result(c, List.of(), pooled, pooled, Optional.empty(), List.of());
  }

  @Test
  void aLaterCandidateMustLeadByMoreThanTheMarginAndTheOneItCouldNotDisplaceIsNamed() {
    RollingBacktest.Result linear = backtested(LINEAR, 0.763);
    RollingBacktest.Result blend = backtested(BLEND, 0.7790);
    RollingBacktest.Result trees = backtested(TREES, 0.7795);

    ChurnTraining.Choice choice = ChurnTraining.choose(List.of(linear, blend, trees), 0.005);
    assertSame(blend, choice.chosen(), "0.016 ahead of the regression; the trees only 0.0005 ahead of it");
    assertSame(trees, choice.passedOver());
    assertEquals("best of 3 candidates (xgboost(depth 4, 200 rounds, eta 0.05, subsample 0.8, lambda 1.0, min child "
        + "weight 5.0) ranked 0.7795 vs 0.7790, not more than model.choice-margin 0.005 better, and is listed after it)",
        choice.describe(3));

    ChurnTraining.Choice clear = ChurnTraining.choose(List.of(linear, blend, backtested(TREES, 0.790)), 0.005);
    assertEquals(TREES, clear.chosen().candidate(), "a lead beyond the margin wins");
    assertNull(clear.passedOver());
    assertEquals("best of 3 candidates", clear.describe(3));

    assertSame(trees, ChurnTraining.choose(List.of(linear, blend, trees), 0.0).chosen(), "no margin: the best AUC");
  }

  @Test
  void aCandidateThatCannotRankIsNeverChosen() {
    RollingBacktest.Result none = backtested(LINEAR, Double.NaN);
    RollingBacktest.Result trees = backtested(TREES, 0.70);
    assertSame(trees, ChurnTraining.choose(List.of(none, trees), 0.005).chosen());
    assertNull(ChurnTraining.choose(List.of(none), 0.005).chosen());
  }
}
