package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Subscription indicators describe the subscriptions of the last day covered before the as-of
 * date D = 2024-04-01: the day before for an active account, the last day of its last
 * subscription for a lapsed one.
 */
class SubscriptionIndicatorsTest extends SparkTestBase {

  private static final StructType SPINE = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("as_of_date", DataTypes.DateType, false)
      .add("lapsed", DataTypes.BooleanType, false);

  private static Object[] sub(String id, String account, String start, String end, double mrr, Integer seats,
      double discount, String plan) {
    return new Object[] {id, account, d(start), end == null ? null : d(end), mrr, plan, 1, seats, discount, null, true};
  }

  @Test
  void aLapsedAccountIsDescribedByTheSubscriptionItLapsedFrom() {
    Dataset<Row> spine = frame(SPINE,
        new Object[] {"active", d("2024-04-01"), false},
        new Object[] {"lapsed", d("2024-04-01"), true},
        new Object[] {"ends-on-d", d("2024-04-01"), true},
        new Object[] {"no-seats", d("2024-04-01"), false},
        new Object[] {"starts-on-d", d("2024-04-01"), false});
    Dataset<Row> subs = frame(InputContract.SUBSCRIPTIONS.schema(),
        sub("a1", "active", "2024-01-01", null, 100.0, 5, 0.0, "pro"),
        sub("l1", "lapsed", "2023-06-01", "2024-02-01", 300.0, 10, 30.0, "enterprise"),
        sub("l2", "lapsed", "2024-02-01", "2024-03-20", 80.0, 4, 10.0, "pro"),
        sub("l3", "lapsed", "2024-02-15", "2024-03-20", 20.0, 1, 0.0, "addon"),
        sub("l4", "lapsed", "2024-01-01", "2024-03-01", 5.0, 1, 0.0, "extra"), // ended before the last day
        sub("e1", "ends-on-d", "2024-01-01", "2024-04-01", 60.0, 3, 0.0, "starter"),
        sub("n1", "no-seats", "2024-01-01", null, 40.0, null, 0.0, "team"),
        // dated on D: not seen by D's indicators, though the account is active on D
        sub("s1", "starts-on-d", "2024-04-01", null, 70.0, 2, 0.0, "pro"));

    Dataset<Row> actual = SubscriptionIndicators.apply(spine, subs).select("account_id", "as_of_date", "lapsed", "mrr",
        "seats", "seats_unknown", "discount_pct", "plan", "discount_ended_90d");

    assertFramesEqual(frame(actual.schema(),
            // account, as_of, lapsed, mrr, seats, seats_unknown, discount_pct, plan, discount_ended_90d
            new Object[] {"active", d("2024-04-01"), false, 100.0, 5, 0, 0.0, "pro", 0},
            // l2 + l3 covered 03-19, its last covered day; l1's larger discount ran out on 02-01
            new Object[] {"lapsed", d("2024-04-01"), true, 100.0, 5, 0, 10.0, "pro", 1},
            new Object[] {"ends-on-d", d("2024-04-01"), true, 60.0, 3, 0, 0.0, "starter", 0},
            new Object[] {"no-seats", d("2024-04-01"), false, 40.0, null, 1, 0.0, "team", 0},
            new Object[] {"starts-on-d", d("2024-04-01"), false, 0.0, null, 1, 0.0, null, 0}),
        actual);
  }

  @Test
  void aSpineWithoutLapsedIsTakenAsActive() {
    Dataset<Row> spine = FeatureStory.spine(spark(), new Object[] {"a1", d("2024-04-01")});
    Dataset<Row> subs = frame(InputContract.SUBSCRIPTIONS.schema(),
        sub("a1", "a1", "2024-01-01", null, 100.0, 5, 0.0, "pro"));

    Dataset<Row> actual = SubscriptionIndicators.apply(spine, subs).select("account_id", "lapsed", "mrr");

    assertFramesEqual(frame(actual.schema(), new Object[] {"a1", false, 100.0}), actual);
  }
}
