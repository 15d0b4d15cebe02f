package io.churnducks.features.relevance;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndicatorDriftTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType().add("steady", DataTypes.DoubleType)
      .add("shifted", DataTypes.DoubleType).add("emptied", DataTypes.LongType);

  @Test
  void psiIsTheSumOverBinsOfShareDifferenceTimesLogRatio() {
    // before 50/50, now 80/20: (0.8-0.5) ln(0.8/0.5) + (0.2-0.5) ln(0.2/0.5)
    double expected = 0.3 * Math.log(1.6) + (-0.3) * Math.log(0.4);
    assertEquals(expected, IndicatorDrift.psi(new long[] {50, 50}, new long[] {80, 20}), 1e-12);
    assertEquals(0.0, IndicatorDrift.psi(new long[] {10, 30, 60}, new long[] {1, 3, 6}), 1e-12);
    assertEquals(0.0, IndicatorDrift.psi(new long[] {0, 0}, new long[] {1, 3}), "nothing to compare with");
  }

  @Test
  void aMovedIndicatorIsFlaggedAndASteadyOneIsNot() {
    List<Object[]> before = new ArrayList<>();
    List<Object[]> now = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      before.add(new Object[] {(double) i, (double) i, (long) i});
      // Same values; the second indicator's moved up by half its range; the third lost its values.
      now.add(new Object[] {(double) (199 - i), i + 100.0, i < 100 ? null : (long) i});
    }
    Dataset<Row> drift = IndicatorDrift.compute(spark(), frame(SCHEMA, before.toArray(Object[][]::new)),
        frame(SCHEMA, now.toArray(Object[][]::new)), List.of("steady", "shifted", "emptied"),
        LocalDate.of(2026, 1, 1), 0.2).orderBy("indicator");
    List<Row> rows = drift.collectAsList();
    Row emptied = rows.get(0);
    Row shifted = rows.get(1);
    Row steady = rows.get(2);
    assertEquals(0.0, steady.getDouble(2), 1e-9);
    assertFalse(steady.getBoolean(3));
    assertEquals(99.5, steady.getDouble(5), 1e-9);
    // Half the customers above the previous maximum, none in the lowest five deciles.
    assertTrue(shifted.getDouble(2) > 1.0, "psi " + shifted.getDouble(2));
    assertTrue(shifted.getBoolean(3));
    assertEquals(199.5, shifted.getDouble(5), 1e-9);
    assertTrue(emptied.getBoolean(3), "half the values missing is a change");
    assertEquals(0.0, emptied.getDouble(6), 1e-12);
    assertEquals(0.5, emptied.getDouble(7), 1e-12);
    assertEquals(java.sql.Date.valueOf("2026-01-01"), steady.getDate(1));
  }
}
