package io.churnducks.models.segments;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTemperatureTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("active_days_28d", DataTypes.LongType)
      .add("days_since_last_activity", DataTypes.IntegerType)
      .add("intent_events_28d", DataTypes.DoubleType)
      .add("unpaid_invoices_90d", DataTypes.LongType)
      .add("last_nps", DataTypes.IntegerType);

  /** Health from frequency and recency; temperature from intent (counts), unpaid invoices and NPS. */
  private static final HealthTemperature.Settings MAP = new HealthTemperature.Settings(
      List.of(HealthTemperature.Part.parse("active_days_28d"), HealthTemperature.Part.parse("-log days_since_last_activity")),
      List.of(HealthTemperature.Part.parse("log intent_events_28d * 2"), HealthTemperature.Part.parse("-unpaid_invoices_90d"),
          HealthTemperature.Part.parse("last_nps")),
      Double.NaN, Double.NaN);

  private static Map<String, Row> byAccount(Dataset<Row> rows) {
    return rows.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
  }

  @Test
  void eachCornerOfTheMapGetsItsQuadrantAndPlaySplitAtTheMedians() {
    var rows = frame(SCHEMA,
        new Object[] {"red", 27L, 1, 12.0, 0L, 10},      // daily use, shopping, pays, promoter
        new Object[] {"red2", 25L, 1, 9.0, 0L, 9},
        new Object[] {"ready", 2L, 20, 10.0, 0L, 9},     // barely used but shopping
        new Object[] {"sleep", 1L, 25, 0.0, 2L, 2},      // barely used, unpaid, detractor
        new Object[] {"sleep2", 3L, 15, 0.0, 1L, null},  // no survey answer: NPS counts as average
        new Object[] {"free", 26L, 1, 0.0, 1L, 3});      // daily use, no intent, unpaid
    Map<String, Row> out = byAccount(HealthTemperature.apply(rows, MAP));
    Map<String, String> quadrant = out.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAs("quadrant")));
    assertEquals(Map.of("red", "Red Carpet", "red2", "Red Carpet", "ready", "Ready to Buy", "sleep", "Sleeping",
        "sleep2", "Sleeping", "free", "Free Riders"), quadrant);
    assertEquals(HealthTemperature.Quadrant.SLEEPING.play, out.get("sleep").getAs("play"));
    for (Row r : out.values()) {
      double h = r.getAs("health");
      double t = r.getAs("temperature");
      assertTrue(h > 0 && h < 100 && t > 0 && t < 100, r.toString());
    }
  }

  @Test
  void aScoreNeverFallsWhenOneOfItsPartsImproves() {
    var rows = frame(SCHEMA,
        new Object[] {"base", 10L, 5, 2.0, 1L, 6},
        new Object[] {"more_days", 11L, 5, 2.0, 1L, 6},
        new Object[] {"more_recent", 10L, 2, 2.0, 1L, 6},
        new Object[] {"more_intent", 10L, 5, 5.0, 1L, 6},
        new Object[] {"fewer_unpaid", 10L, 5, 2.0, 0L, 6},
        new Object[] {"better_nps", 10L, 5, 2.0, 1L, 9},
        new Object[] {"other", 20L, 0, 0.0, 3L, 1});
    Map<String, Row> out = byAccount(HealthTemperature.apply(rows, MAP));
    double h = out.get("base").getAs("health");
    double t = out.get("base").getAs("temperature");
    assertTrue(out.get("more_days").<Double>getAs("health") > h);
    assertTrue(out.get("more_recent").<Double>getAs("health") > h);
    for (String warmer : List.of("more_intent", "fewer_unpaid", "better_nps")) {
      assertTrue(out.get(warmer).<Double>getAs("temperature") > t, warmer);
      assertEquals(h, out.get(warmer).<Double>getAs("health"), 1e-9, warmer + " leaves health alone");
    }
    assertThrows(IllegalArgumentException.class, () -> HealthTemperature.Part.parse("last_nps * -1"));
  }

  @Test
  void theTopAndBottomNByHealthAreRankedFromEachEnd() {
    Dataset<Row> segments = spark().range(0, 12, 1, 3).select(
        expr("concat('A', lpad(CAST(id AS STRING), 2, '0'))").as("account_id"),
        expr("CAST(id * 7 % 12 AS DOUBLE) * 8").as("health"),
        expr("50.0").as("temperature"), expr("'Sleeping'").as("quadrant"),
        expr("CAST(id % 2 AS INT)").as("segment_id"), expr("'Some Ducks'").as("segment_name"),
        expr("CAST(id AS DOUBLE)").as("mrr"));
    Dataset<Row> ends = HealthExtremes.of(segments, 5);
    List<String> top = ends.where(col("end").equalTo("top")).orderBy("rank").select("account_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    List<String> bottom = ends.where(col("end").equalTo("bottom")).orderBy("rank").select("account_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    // health = (id * 7 mod 12) * 8: 88 at id 5, 80 at id 10, 72 at id 3, 64 at id 8, 56 at id 1; 0 at id 0, 8 at id 7 ...
    assertEquals(List.of("A05", "A10", "A03", "A08", "A01"), top);
    assertEquals(List.of("A00", "A07", "A02", "A09", "A04"), bottom);
    assertThrows(IllegalArgumentException.class, () -> HealthExtremes.of(segments, 4));
  }
}
