package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTemperatureTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("events_28d", DataTypes.DoubleType)
      .add("active_days_28d", DataTypes.LongType)
      .add("features_used_28d", DataTypes.LongType)
      .add("seat_utilisation", DataTypes.DoubleType)
      .add("days_since_last_activity", DataTypes.IntegerType)
      .add("tenure_days", DataTypes.IntegerType)
      .add("intent_events_28d", DataTypes.DoubleType)
      .add("unpaid_invoices_90d", DataTypes.LongType)
      .add("late_payments_90d", DataTypes.LongType)
      .add("usage_trend_28d", DataTypes.DoubleType)
      .add("last_nps", DataTypes.IntegerType);

  @Test
  void eachCornerOfTheMapGetsItsQuadrantAndPlay() {
    var rows = frame(SCHEMA,
        // heavy, daily, broad use; shopping for upgrades, pays, growing, promoter
        new Object[] {"red", 900.0, 27L, 9L, 1.0, 1, 400, 12.0, 0L, 0L, 0.5, 10},
        // barely used, but looking at pricing and growing from nothing
        new Object[] {"ready", 5.0, 2L, 1L, 0.1, 20, 400, 10.0, 0L, 0L, 1.0, 9},
        // barely used, not shopping, unpaid invoices, detractor
        new Object[] {"sleep", 4.0, 1L, 1L, 0.1, 25, 400, 0.0, 2L, 0L, -1.0, 2},
        // heavy use, no intent, late payments, falling
        new Object[] {"free", 800.0, 26L, 8L, 1.2, 1, 400, 0.0, 0L, 2L, -0.3, 3});
    Map<String, Row> out = HealthTemperature.apply(rows).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertEquals("Red Carpet", out.get("red").getAs("quadrant"));
    assertEquals("Ready to Buy", out.get("ready").getAs("quadrant"));
    assertEquals("Sleeping", out.get("sleep").getAs("quadrant"));
    assertEquals("Free Riders", out.get("free").getAs("quadrant"));
    assertEquals(HealthTemperature.Quadrant.SLEEPING.play, out.get("sleep").getAs("play"));
    for (Row r : out.values()) {
      double h = r.getAs("health");
      double t = r.getAs("temperature");
      assertTrue(h > 0 && h < 100 && t > 0 && t < 100, r.toString());
    }
  }

  @Test
  void unpaidAndLatePaidInvoicesCoolTheTemperature() {
    var rows = frame(SCHEMA,
        new Object[] {"pays", 100.0, 10L, 3L, 0.5, 2, 400, 1.0, 0L, 0L, 0.0, 7},
        new Object[] {"unpaid", 100.0, 10L, 3L, 0.5, 2, 400, 1.0, 2L, 0L, 0.0, 7},
        new Object[] {"late", 100.0, 10L, 3L, 0.5, 2, 400, 1.0, 0L, 2L, 0.0, 7});
    Map<String, Double> t = HealthTemperature.apply(rows).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.<Double>getAs("temperature")));
    assertTrue(t.get("pays") > t.get("unpaid"), t.toString());
    assertTrue(t.get("pays") > t.get("late"), t.toString());
    assertEquals(t.get("unpaid"), t.get("late"), 1e-9);
  }
}
