package io.churnducks.features.indicators;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static io.churnducks.features.indicators.FeatureStory.SETTINGS;

/**
 * Indicators use only data dated strictly before the as-of date: adding anything dated on or
 * after it to any table (or ending a subscription on or after it) changes no feature.
 */
class PointInTimeTest extends SparkTestBase {

  @Test
  void rowsDatedOnOrAfterTheRunDateChangeNoFeature() {
    // The spine holds D and an earlier as-of date; everything added below is dated on or after D.
    Dataset<Row> before = FeatureStory.withAllSources(spark()).features();

    FeatureStory.Tables later = FeatureStory.story();
    // A new account signing up on D (not in the spine yet).
    later.account("a4", "2024-04-01", "Retail", "ads");
    // A subscription starting on D, and end dates set on and after D on open subscriptions.
    later.subscription("s7", "a1", "2024-04-01", null, 500.0, 50, 50.0, "enterprise");
    later.subscription("s8", "a3", "2024-04-01", null, 40.0, 3, 0.0, "starter");
    later.subscriptions.removeIf(r -> r[0].equals("s1") || r[0].equals("s2"));
    later.subscription("s1", "a1", "2024-01-01", "2024-04-01", 100.0, 5, 0.0, "pro");
    later.subscription("s2", "a2", "2024-03-20", "2024-04-11", 30.0, 2, 10.0, "starter");
    for (String account : new String[] {"a1", "a2", "a3"}) {
      later.event(account, "2024-04-01T00:00:00", "u1", "d1", "report");
      later.event(account, "2024-04-01T00:00:00", "u9", "d9", "pricing_page");
      later.event(account, "2024-04-01T13:30:00", "u5", "d5", "export");
      later.event(account, "2024-04-20T08:00:00", "u6", "d6", "invite");
      later.invoice("late-" + account + "-1", account, "2024-04-01", "failed");
      later.invoice("late-" + account + "-2", account, "2024-04-15", "failed");
      later.ticket("late-" + account, account, "2024-04-01T00:00:00", 1);
      later.survey(account, "2024-04-01T00:00:00", 0);
      later.survey(account, "2024-05-01T00:00:00", 10);
    }
    Dataset<Row> after = CustomerFeatures.compute(FeatureStory.storySpine(spark()), later.frames(spark()), SETTINGS)
        .features();

    assertFramesEqual(before, after);
  }
}
