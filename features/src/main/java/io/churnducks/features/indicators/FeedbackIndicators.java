package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * What the customer says. Output: {@code account_id, as_of_date, last_nps, nps_answered}: the
 * latest NPS answer (0–10) given before the as-of date, null when the account never answered; and
 * 1 when it answered at least once before the as-of date, else 0 (never answering is a signal of
 * its own, not a missing value to impute).
 */
public final class FeedbackIndicators {

  private FeedbackIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> surveys) {
    Windows.require(surveys, "feedback indicators", "account_id", "responded_at", "nps");
    Dataset<Row> days = surveys.withColumn("_responded_day", to_date(col("responded_at")));
    Dataset<Row> agg = Windows.before(days, "_responded_day", spine, 0)
        .groupBy("account_id", "as_of_date")
        .agg(max_by(col("nps"), col("responded_at")).as("last_nps"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left")
        .select(col("account_id"), col("as_of_date"), col("last_nps"),
            when(col("last_nps").isNotNull(), 1).otherwise(0).as("nps_answered"));
  }
}
