package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationTest extends SparkTestBase {

  @Test
  void plattAndIsotonicMapScoresAsTheirFormulasSay() {
    Calibration platt = Calibration.platt(2.0, -1.0);
    assertEquals(1 / (1 + Math.exp(1.0)), platt.apply(0.5), 1e-12, "logit(0.5) = 0, so sigmoid(-1)");
    assertEquals(1 / (1 + Math.exp(-(2 * Math.log(0.8 / 0.2) - 1))), platt.apply(0.8), 1e-12);
    Calibration iso = Calibration.isotonic(new double[] {0.1, 0.5}, new double[] {0.0, 0.4});
    assertEquals(0.2, iso.apply(0.3), 1e-12, "interpolated between steps");
    assertEquals(0.0, iso.apply(0.05), 1e-12);
    assertEquals(0.4, iso.apply(0.9), 1e-12);
    assertEquals(0.7, Calibration.identity().apply(0.7), 0.0);
    Dataset<Row> one = spark().range(1).select(lit(0.8).as("s"));
    assertEquals(platt.apply(0.8), one.select(platt.apply(col("s"))).first().getDouble(0), 1e-12);
    assertEquals(iso.apply(0.8), one.select(iso.apply(col("s"))).first().getDouble(0), 1e-12);
  }

  @Test
  void plattRecoversTheMappingThatGeneratedTheLabels() {
    Dataset<Row> d = spark().range(0, 40000, 1, 2)
        .select(expr("0.02 + 0.96 * rand(3)").as("score"))
        .withColumn("label", expr("CASE WHEN rand(4) < 1 / (1 + exp(-(0.5 * ln(score / (1 - score)) - 1.5))) "
            + "THEN 1.0 ELSE 0.0 END"));
    Calibration c = Calibration.fit(d, "label", "score", Calibration.PLATT);
    assertTrue(c.describe().startsWith("platt(slope 0.5") || c.describe().startsWith("platt(slope 0.4"),
        c.describe());
    assertEquals(1 / (1 + Math.exp(1.5)), c.apply(0.5), 0.01);
    Calibration iso = Calibration.fit(d, "label", "score", Calibration.ISOTONIC);
    assertTrue(iso.apply(0.9) > iso.apply(0.1), "isotonic is increasing");
    assertEquals(1 / (1 + Math.exp(-(0.5 * Math.log(9) - 1.5))), iso.apply(0.9), 0.05);
  }
}
