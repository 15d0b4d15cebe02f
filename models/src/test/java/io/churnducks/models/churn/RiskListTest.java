package io.churnducks.models.churn;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RiskListTest extends SparkTestBase {

  @Test
  void listsTheChosenTiersRankedByMrrAtRiskWithOwnerAndPlay() {
    Dataset<Row> scores = frame(ChurnScores.SCHEMA,
        new Object[] {"a", 0.50, "high", 100.0, 50.0, new String[] {"events_28d low"}, "v1"},
        new Object[] {"b", 0.20, "medium", 500.0, 100.0, new String[] {"tickets_90d high", "last_nps low"}, "v1"},
        new Object[] {"c", 0.05, "low", 1000.0, 50.0, new String[] {}, "v1"},
        new Object[] {"d", 0.40, "high", 125.0, 50.0, new String[] {"usage_trend_28d low"}, "v1"});
    StructType segSchema = new StructType().add("account_id", DataTypes.StringType)
        .add("segment_name", DataTypes.StringType).add("quadrant", DataTypes.StringType).add("play", DataTypes.StringType);
    Dataset<Row> segments = frame(segSchema,
        new Object[] {"a", "Light Users", "Sleeping", "Re-onboard"},
        new Object[] {"b", "Support Heavy", "Free Riders", "Find out why"},
        new Object[] {"d", "Light Users", "Sleeping", "Re-onboard"});
    StructType accSchema = new StructType().add("account_id", DataTypes.StringType)
        .add("account_name", DataTypes.StringType).add("csm_owner", DataTypes.StringType);
    Dataset<Row> accounts = frame(accSchema,
        new Object[] {"a", "Acme", "Ada"}, new Object[] {"b", "Bolt", "Bea"},
        new Object[] {"c", "Core", "Cy"}, new Object[] {"d", "Dune", null});

    List<Row> list = RiskList.build(scores, segments, accounts, List.of("high", "medium")).collectAsList();

    assertEquals(3, list.size());
    // b has the most MRR at risk; a and d tie on it, a has the higher probability.
    assertEquals(List.of("b", "a", "d"), list.stream().map(r -> r.getString(1)).toList());
    assertEquals(List.of(1L, 2L, 3L), list.stream().map(r -> r.getLong(0)).toList());
    assertEquals("tickets_90d high; last_nps low", list.get(0).getAs("top_reasons"));
    assertEquals("Bea", list.get(0).getAs("csm_owner"));
    assertEquals("Find out why", list.get(0).getAs("play"));
  }
}
