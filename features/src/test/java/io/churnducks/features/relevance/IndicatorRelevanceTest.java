package io.churnducks.features.relevance;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The univariate measures on hand-computed examples, and the verdicts on a frame whose churn is
 * driven by one indicator and not by another.
 */
class IndicatorRelevanceTest extends SparkTestBase {

  private static final StructType EXAMPLES = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("churned", DataTypes.BooleanType, false)
      .add("x", DataTypes.DoubleType, true)
      .add("plan", DataTypes.StringType, true);

  @Test
  void aucCountsEachChurnerAgainstTheStayersBelowItWithTiesHalf() {
    // Churners 5, 7, 7 against stayers 1, 2, 3, 4, 7: (4 + 4.5 + 4.5) / (3 x 5) wins; a missing value is its own bucket.
    // The stayer's 7 is a sum added in another order (7 + 1e-15): the same value, a tie.
    Dataset<Row> examples = frame(EXAMPLES,
        new Object[] {"a", true, 5.0, "pro"}, new Object[] {"b", true, 7.0, "pro"},
        new Object[] {"c", true, 7.0, "basic"}, new Object[] {"d", false, 1.0, "basic"},
        new Object[] {"e", false, 2.0, "basic"}, new Object[] {"f", false, 7.000000000000001, "basic"},
        new Object[] {"g", false, 3.0, "basic"}, new Object[] {"h", false, 4.0, "pro"},
        new Object[] {"i", false, null, null});

    Map<String, Row> rows = byIndicator(IndicatorRelevance.compute(spark(), examples, List.of("x"), List.of("plan"),
        Map.of("x", "size")));

    Row x = rows.get("x");
    assertEquals(13.0 / 15, x.<Double>getAs("auc"), 1e-12);
    assertEquals("higher", x.getAs("direction"));
    assertEquals(8L, x.<Long>getAs("examples"));
    assertEquals(1.0 / 9, x.<Double>getAs("missing_share"), 1e-12);
    assertEquals(3.0 / 8, x.<Double>getAs("churn_rate"), 1e-12);
    assertEquals("size", x.getAs("behavioural_group"));
    List<Row> buckets = x.getList(x.fieldIndex("buckets"));
    assertEquals("missing", buckets.get(0).getString(0));
    assertEquals(9L, buckets.stream().mapToLong(b -> b.getLong(1)).sum(), "every example is in a bucket");
    assertEquals(Math.min(1.0, 2 * x.<Double>getAs("p_value")), x.<Double>getAs("p_adjusted"), 1e-12,
        "Bonferroni over the two indicators tested");

    Row plan = rows.get("plan");
    assertEquals("category", plan.getAs("kind"));
    // Values with fewer than 30 examples are folded; with the missing value, two groups remain.
    assertEquals(List.of("(rare values)", "missing"),
        plan.getList(plan.fieldIndex("buckets")).stream().map(b -> ((Row) b).getString(0)).sorted().toList());
  }

  @Test
  void informationValueAndRankedAucByHand() {
    // Buckets {examples, churners}: {10, 1}, {10, 5}; 6 churners, 14 stayers.
    double iv = (9.0 / 14 - 1.0 / 6) * Math.log((9.0 / 14) / (1.0 / 6))
        + (5.0 / 14 - 5.0 / 6) * Math.log((5.0 / 14) / (5.0 / 6));
    assertEquals(iv, IndicatorRelevance.informationValue(List.of(new long[] {10, 1}, new long[] {10, 5})), 1e-12);
    // Ranked by rate: the 1 churner of the first group ties with its 9 stayers (4.5 wins); the 5 of the second beat
    // those 9 and tie with their own 5 stayers: (4.5 + 5 x (9 + 2.5)) / (6 x 14).
    assertEquals((4.5 + 5 * 11.5) / 84, IndicatorRelevance.rankedAuc(List.of(new long[] {10, 1}, new long[] {10, 5})),
        1e-12);
    assertNull(IndicatorRelevance.rankedAuc(List.of(new long[] {10, 0})), "no churner: undefined");
  }

  @Test
  void anIndicatorThatDrivesChurnIsPredictiveAndOneThatDoesNotIsNoise() {
    // 3,000 accounts, four examples each: churn probability rises with x; z and the plan are drawn independently.
    SplittableRandom rng = new SplittableRandom(11);
    List<Object[]> rows = new ArrayList<>();
    for (int a = 0; a < 3000; a++) {
      String plan = rng.nextBoolean() ? "pro" : "basic";
      for (int k = 0; k < 4; k++) {
        double x = rng.nextDouble();
        double z = rng.nextGaussian();
        boolean churned = rng.nextDouble() < 0.05 + 0.25 * x;
        rows.add(new Object[] {"acc" + a, churned, x, z, plan});
      }
    }
    StructType schema = new StructType().add("account_id", DataTypes.StringType).add("churned", DataTypes.BooleanType)
        .add("x", DataTypes.DoubleType).add("z", DataTypes.DoubleType).add("plan", DataTypes.StringType);
    Dataset<Row> examples = frame(schema, rows.toArray(Object[][]::new));

    Map<String, Row> out = byIndicator(IndicatorRelevance.compute(spark(), examples, List.of("x", "z"),
        List.of("plan"), Map.of()));

    assertEquals(IndicatorRelevance.PREDICTIVE, out.get("x").getAs("verdict"));
    assertTrue(out.get("x").<Double>getAs("top_bottom_lift") > 3, "top decile churns far more than the bottom one");
    assertEquals(10, out.get("x").getList(out.get("x").fieldIndex("buckets")).size(), "deciles");
    assertEquals(IndicatorRelevance.NOISE, out.get("z").getAs("verdict"));
    assertEquals(IndicatorRelevance.NOISE, out.get("plan").getAs("verdict"));
    assertTrue(out.get("z").<Double>getAs("information_value") < 0.02, "no information in z");
  }

  private static Map<String, Row> byIndicator(Dataset<Row> relevance) {
    assertEquals(IndicatorRelevance.SCHEMA, relevance.schema());
    Map<String, Row> out = new HashMap<>();
    relevance.orderBy(col("indicator")).collectAsList().forEach(r -> out.put(r.getString(0), r));
    return out;
  }
}
