package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ExpectedMonthsLeftTest extends SparkTestBase {

  private static double months(double p, int horizonDays) {
    Row r = spark().range(1).select(ChurnModel.expectedMonthsLeft(lit(p), horizonDays)).first();
    return r.getDouble(0);
  }

  @Test
  void aConstantMonthlyHazardMatchesTheHorizonProbability() {
    // 10 % within 90 days (2.957 months): monthly hazard 1 - 0.9^(1/2.957) = 0.0350, so 28.6 months.
    double horizonMonths = 90 / (365.25 / 12);
    double hazard = 1 - Math.pow(0.9, 1 / horizonMonths);
    assertEquals(1 / hazard, months(0.1, 90), 1e-9);
    assertEquals(28.57, months(0.1, 90), 0.01);
    // Churn within a one-month horizon for sure: one month left; almost never: very long.
    assertEquals(1.0, months(1.0, 30), 1e-3);
    assertEquals(30 / 30.4375 * 1e6, months(0.0, 30), 1e3);
  }
}
