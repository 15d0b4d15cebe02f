package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryMetricsTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType().add("label", DataTypes.DoubleType)
      .add("p", DataTypes.DoubleType);

  private static Dataset<Row> scored(double[][] rows) {
    Object[][] r = new Object[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      r[i] = new Object[] {rows[i][0], rows[i][1]};
    }
    return frame(SCHEMA, r);
  }

  @Test
  void everyMetricMatchesItsHandComputedValue() {
    double[][] rows = {{1, 0.9}, {0, 0.8}, {1, 0.7}, {0, 0.3}, {0, 0.2}, {0, 0.1}, {1, 0.6}, {0, 0.4}, {0, 0.05},
        {0, 0.15}};
    BinaryMetrics m = BinaryMetrics.of(scored(rows), "label", "p");
    assertEquals(10, m.examples());
    assertEquals(0.3, m.churnRate(), 1e-12);
    // 19 of the 21 churner-stayer pairs are ordered right (0.8 outranks 0.7 and 0.6).
    assertEquals(19.0 / 21, m.auc(), 1e-9);
    assertEquals(1.225 / 10, m.brier(), 1e-12);
    double logLoss = -(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.7) + Math.log(0.8) + Math.log(0.9)
        + Math.log(0.6) + Math.log(0.6) + Math.log(0.95) + Math.log(0.85)) / 10;
    assertEquals(logLoss, m.logLoss(), 1e-12);
    // Bins 9,8,7,6,4,3,2,1(0.1 and 0.15),0: |0.9-1|+0.8+0.3+0.4+0.4+0.3+0.2+2×0.125+0.05 = 2.8 over 10 examples.
    assertEquals(0.28, m.ece(), 1e-12);
    assertEquals(9, m.calibration().size());
    // The top 10 % is the single 0.9, a churner: rate 1.0 against 0.3.
    assertEquals(1 / 0.3, m.topDecileLift(), 1e-9);
    assertEquals(1 / 3.0, m.topDecileRecall(), 1e-9);
    // Precision-recall points (0,1) (1/3,1) (1/3,1/2) (2/3,2/3) (1,3/4), trapezoids between them.
    assertEquals(1 / 3.0 + (0.5 + 2 / 3.0) / 2 / 3 + (2 / 3.0 + 0.75) / 2 / 3, m.prAuc(), 1e-9);
  }

  @Test
  void theExpectedLiftAveragesTheOutcomeProbabilitiesOfTheRiskiestTenthAgainstAll() {
    // Outcome probabilities 0.1..1.0 (mean 0.55); the score ranks 0.6 first, so the top tenth holds 0.6.
    double[][] rows = {{0.6, 0.99}, {1.0, 0.9}, {0.9, 0.8}, {0.8, 0.7}, {0.7, 0.6}, {0.5, 0.5}, {0.4, 0.4},
        {0.3, 0.3}, {0.2, 0.2}, {0.1, 0.1}};
    assertEquals(0.6 / 0.55, BinaryMetrics.expectedTopDecileLift(scored(rows), "label", "p"), 1e-9);
    // Ranked by the outcome probabilities themselves: the best lift there is, 1.0 / 0.55.
    assertEquals(1.0 / 0.55, BinaryMetrics.expectedTopDecileLift(scored(rows), "label", "label"), 1e-9);
    assertTrue(Double.isNaN(BinaryMetrics.expectedTopDecileLift(scored(new double[][] {{0, 0.3}, {0, 0.2}}), "label",
        "p")));
  }

  @Test
  void theLiftCurveCountsChurnersAmongTheRiskiestShares() {
    double[][] rows = {{1, 0.9}, {0, 0.8}, {1, 0.7}, {0, 0.3}, {0, 0.2}, {0, 0.1}, {1, 0.6}, {0, 0.4}, {0, 0.05},
        {0, 0.15}};
    BinaryMetrics m = BinaryMetrics.of(scored(rows), "label", "p");
    // By score: 0.9 c, 0.8, 0.7 c, 0.6 c, then stayers only. Churners among the top k of 10, against 0.3.
    double[] churnersInTop = {1, 1, 2, 3, 3, 3, 3, 3, 3, 3};
    assertEquals(10, m.lift().size());
    for (int k = 1; k <= 10; k++) {
      BinaryMetrics.LiftPoint p = m.lift().get(k - 1);
      assertEquals(k, p.decile());
      assertEquals(k, p.examples());
      assertEquals(churnersInTop[k - 1], p.churners(), 1e-12);
      assertEquals(churnersInTop[k - 1] / k / 0.3, p.lift(), 1e-9, "lift of the top " + k * 10 + " %");
      assertEquals(churnersInTop[k - 1] / 3, p.recall(), 1e-12);
    }
    assertEquals(m.topDecileLift(), m.lift().get(0).lift(), 0.0);
    assertEquals(m.topDecileRecall(), m.lift().get(0).recall(), 0.0);
  }

  @Test
  void tiesAtTheTopDecileShareItsPlaces() {
    double[][] rows = new double[10][];
    for (int i = 0; i < 10; i++) {
      rows[i] = new double[] {i < 3 ? 1 : 0, 0.5};
    }
    BinaryMetrics m = BinaryMetrics.of(scored(rows), "label", "p");
    assertEquals(1.0, m.topDecileLift(), 1e-12, "a constant score finds churners at the base rate");
    assertEquals(0.1, m.topDecileRecall(), 1e-12);
    assertEquals(0.5, m.auc(), 1e-12);
    m.lift().forEach(p -> assertEquals(1.0, p.lift(), 1e-12, "decile " + p.decile()));
  }

  @Test
  void oneClassLeavesRankingUndefined() {
    BinaryMetrics m = BinaryMetrics.of(scored(new double[][] {{0, 0.2}, {0, 0.1}}), "label", "p");
    assertFalse(m.ranks());
    assertTrue(Double.isNaN(m.topDecileLift()));
    assertTrue(m.lift().isEmpty(), "no lift curve without churners");
    assertEquals(0.15, m.ece(), 1e-12);
  }
}
