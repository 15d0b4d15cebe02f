package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * What the customer pays, as known before the as-of date: a subscription counts when it started
 * before the as-of date; an end date on or after the as-of date was not yet known and is ignored.
 * Output: {@code account_id, as_of_date, mrr, seats, discount_pct, plan, discount_ended_90d}.
 * <ul>
 *   <li>{@code mrr}: sum of MRR of current subscriptions (currency units/month)</li>
 *   <li>{@code seats}: sum of licensed seats of current subscriptions</li>
 *   <li>{@code discount_pct}: largest current discount, percent</li>
 *   <li>{@code plan}: plan of the current subscription with the highest MRR</li>
 *   <li>{@code discount_ended_90d}: 1 when a subscription with a larger discount than today's
 *       ended in the 90 days before the as-of date (a discount ran out), else 0</li>
 * </ul>
 */
public final class SubscriptionIndicators {

  private SubscriptionIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> subscriptions) {
    Windows.require(subscriptions, "subscription indicators", "account_id", "start_date", "end_date", "mrr",
        "seats", "discount_pct", "plan");
    Dataset<Row> paired = Windows.before(subscriptions, "start_date", spine, 0)
        .select(col("account_id"), col("as_of_date"), col("end_date"), col("mrr"), col("seats"),
            col("discount_pct"), col("plan"));
    Column current = col("end_date").isNull().or(col("end_date").geq(col("as_of_date")));
    Column endedRecently = col("end_date").lt(col("as_of_date"))
        .and(col("end_date").geq(date_sub(col("as_of_date"), 90)));
    Dataset<Row> agg = paired.groupBy("account_id", "as_of_date").agg(
        sum(when(current, col("mrr"))).as("mrr"),
        sum(when(current, col("seats"))).cast("int").as("seats"),
        max(when(current, col("discount_pct"))).as("discount_pct"),
        max_by(when(current, col("plan")), when(current, col("mrr"))).as("plan"),
        max(when(endedRecently, col("discount_pct"))).as("_ended_discount"));
    return spine.join(agg, new String[] {"account_id", "as_of_date"}, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("mrr"), lit(0.0)).as("mrr"),
        col("seats"),
        coalesce(col("discount_pct"), lit(0.0)).as("discount_pct"),
        col("plan"),
        when(col("_ended_discount").gt(coalesce(col("discount_pct"), lit(0.0))), 1).otherwise(0).as("discount_ended_90d"));
  }
}
