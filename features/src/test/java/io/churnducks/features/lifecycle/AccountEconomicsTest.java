package io.churnducks.features.lifecycle;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cost to serve, seat sharing and remaining value per account, on accounts worked out by hand. */
class AccountEconomicsTest extends SparkTestBase {

  private static final LifecycleSettings SETTINGS = new LifecycleSettings(0.8, 6, 6, 2.0);

  private static final StructType FEATURES = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("lapsed", DataTypes.BooleanType)
      .add("mrr", DataTypes.DoubleType)
      .add("cost_to_serve_monthly", DataTypes.DoubleType)
      .add("seats", DataTypes.IntegerType)
      .add("active_users_28d", DataTypes.LongType)
      .add("devices_per_user_28d", DataTypes.DoubleType);
  private static final StructType ACCOUNTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("account_name", DataTypes.StringType);
  private static final StructType SEGMENTS = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("segment_name", DataTypes.StringType);
  private static final StructType SCORES = new StructType()
      .add("account_id", DataTypes.StringType)
      .add("churn_probability", DataTypes.DoubleType)
      .add("expected_months_left", DataTypes.DoubleType);

  @Test
  void costToServeSeatSharingAndRemainingValue() {
    Dataset<Row> features = frame(FEATURES,
        // Costs more than it pays; 2 logins, 4 devices each: 8 people on 2 seats.
        new Object[] {"c1", false, 100.0, 120.0, 2, 2L, 4.0},
        // 5 users on 1.6 devices each (laptop and phone): 8 "people" but 10 seats, no gap.
        new Object[] {"c2", false, 200.0, 20.0, 10, 5L, 1.6},
        // No usage source: cost, people and seats unknown.
        new Object[] {"c3", false, 50.0, null, null, null, null},
        // Lapsed: pays nothing tonight, not listed.
        new Object[] {"c4", true, 80.0, 5.0, 3, 1L, 1.0},
        // 4 logins, 2.5 devices each: 10 people on 4 seats.
        new Object[] {"c5", false, 60.0, 10.0, 4, 4L, 2.5},
        // Exactly at the threshold: one person on a laptop and a phone, not sharing.
        new Object[] {"c6", false, 60.0, 10.0, 2, 3L, 2.0});
    Dataset<Row> accounts = frame(ACCOUNTS, new Object[] {"c1", "Blue Harbor Labs"}, new Object[] {"c2", "Iron Pine"});
    Dataset<Row> segments = frame(SEGMENTS, new Object[] {"c1", "Seat Sharers"});
    Dataset<Row> scores = frame(SCORES, new Object[] {"c1", 0.2, 10.0}, new Object[] {"c2", 0.05, 40.0});

    Dataset<Row> out = AccountEconomics.apply(features, accounts, segments, scores, SETTINGS);

    Dataset<Row> expected = frame(AccountEconomics.SCHEMA,
        new Object[] {"c1", "Blue Harbor Labs", "Seat Sharers", 100.0, 120.0, 80.0 - 120.0, true, 2, 2L, 4.0, 6, true,
            0.2, 100 * 0.8 * 10.0},
        new Object[] {"c2", "Iron Pine", null, 200.0, 20.0, 160.0 - 20.0, false, 10, 5L, 1.6, 0, false, 0.05,
            200 * 0.8 * 40.0},
        new Object[] {"c3", null, null, 50.0, null, null, false, null, null, null, null, false, null, null},
        new Object[] {"c5", null, null, 60.0, 10.0, 48.0 - 10.0, false, 4, 4L, 2.5, 6, true, null, null},
        new Object[] {"c6", null, null, 60.0, 10.0, 48.0 - 10.0, false, 2, 3L, 2.0, 4, false, null, null});
    assertEquals(java.util.List.of(AccountEconomics.SCHEMA.fieldNames()), java.util.List.of(out.columns()));
    for (org.apache.spark.sql.types.StructField f : AccountEconomics.SCHEMA.fields()) {
      assertEquals(f.dataType(), out.schema().apply(f.name()).dataType(), f.name());
    }
    assertFramesApproximatelyEqual(expected, spark().createDataFrame(out.collectAsList(), AccountEconomics.SCHEMA));
  }

  @Test
  void aMissingIndicatorIsNamedWithItsTable() {
    Dataset<Row> features = frame(FEATURES).drop("devices_per_user_28d");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccountEconomics.apply(features,
        frame(ACCOUNTS), frame(SEGMENTS), frame(SCORES), SETTINGS));
    assertTrue(e.getMessage().startsWith("Cannot compute account_economics: missing column devices_per_user_28d of "
        + "customer_features"), e.getMessage());
  }
}
