package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * How far the customer got in its first 14 days after signup (onboarding), counting only days
 * before the as-of date. Output: {@code account_id, as_of_date, early_events_14d,
 * early_features_14d} (product usage events and distinct features in days 0–13 after signup).
 */
public final class EarlyAdoptionIndicators {

  /** Length of the onboarding window, days. */
  public static final int ONBOARDING_DAYS = 14;

  private EarlyAdoptionIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> featureDays, Dataset<Row> accounts,
      List<String> intentFeatures) {
    Windows.require(featureDays, "early adoption indicators", "account_id", "event_date", "feature", "events");
    Windows.require(accounts, "early adoption indicators", "account_id", "signup_date");
    Dataset<Row> signups = accounts.select(col("account_id"), col("signup_date"));
    Dataset<Row> early = featureDays.join(signups, "account_id")
        .where(col("event_date").geq(col("signup_date"))
            .and(col("event_date").lt(date_add(col("signup_date"), ONBOARDING_DAYS)))
            .and(col("feature").isin(intentFeatures.toArray()).unary_$bang()));
    Dataset<Row> agg = Windows.before(early, "event_date", spine, 0)
        .groupBy("account_id", "as_of_date").agg(
            sum(col("events")).as("early_events_14d"),
            count_distinct(col("feature")).as("early_features_14d"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("early_events_14d"), lit(0L)).cast("double").as("early_events_14d"),
        coalesce(col("early_features_14d"), lit(0L)).as("early_features_14d"));
  }
}
