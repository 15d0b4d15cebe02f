package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.util.Arrays;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * What the customer pays, as known before the as-of date. A subscription counts when it started
 * before the as-of date; an end date after the as-of date was not yet known and is ignored
 * (the same knowledge rule as {@code SubscriptionTimeline.knownAt}).
 *
 * <p>The indicators describe the account's <em>last covered day before the as-of date</em>: the
 * subscriptions that covered it. For an account active the day before, that is the day before
 * (a subscription ending on the as-of date still covered it). For a <em>lapsed</em> account (its
 * last subscription ended within the grace period, see {@code SubscriptionTimeline.scoringSpine}),
 * it is the last day of its last subscription, so {@code mrr}, {@code seats}, {@code plan} and
 * {@code discount_pct} describe the subscription it lapsed from, never "no revenue": that is the
 * revenue to save. They are 0 / null only for an account with no subscription started before the
 * as-of date.
 *
 * <p>Output: {@code account_id, as_of_date, lapsed, mrr, seats, seats_unknown, discount_pct, plan,
 * discount_ended_90d}.
 * <ul>
 *   <li>{@code lapsed}: the spine's {@code lapsed} column when it has one, else false (a spine of
 *       active accounts, as training examples are)</li>
 *   <li>{@code mrr}: sum of MRR of the described subscriptions (currency units/month)</li>
 *   <li>{@code seats}: sum of their licensed seats; null when none states a seat count</li>
 *   <li>{@code seats_unknown}: 1 when {@code seats} is null, else 0, so a missing seat count is a
 *       signal of its own rather than an imputed median</li>
 *   <li>{@code discount_pct}: their largest discount, percent</li>
 *   <li>{@code plan}: plan of the described subscription with the highest MRR</li>
 *   <li>{@code discount_ended_90d}: 1 when a subscription with a larger discount than today's
 *       ended in the 90 days before the as-of date (a discount ran out), else 0</li>
 * </ul>
 */
public final class SubscriptionIndicators {

  private SubscriptionIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> subscriptions) {
    Windows.require(subscriptions, "subscription indicators", "account_id", "start_date", "end_date", "mrr",
        "seats", "discount_pct", "plan");
    // An end on or after the as-of date is capped to it: the subscription still covered the day before.
    Dataset<Row> paired = Windows.before(subscriptions, "start_date", spine, 0)
        .select(col("account_id"), col("as_of_date"), col("start_date"), col("end_date"),
            least(coalesce(col("end_date"), col("as_of_date")), col("as_of_date")).as("_known_end"),
            col("mrr"), col("seats"), col("discount_pct"), col("plan"));
    Dataset<Row> withLast = paired.withColumn("_covered_until",
        max("_known_end").over(Window.partitionBy("account_id", "as_of_date")));
    Column described = col("_known_end").equalTo(col("_covered_until"))
        .and(col("start_date").lt(col("_covered_until")));
    Column endedRecently = col("end_date").lt(col("as_of_date"))
        .and(col("end_date").geq(date_sub(col("as_of_date"), 90)));
    Dataset<Row> agg = withLast.groupBy("account_id", "as_of_date").agg(
        sum(when(described, col("mrr"))).as("mrr"),
        sum(when(described, col("seats"))).cast("int").as("seats"),
        max(when(described, col("discount_pct"))).as("discount_pct"),
        max_by(when(described, col("plan")), when(described, col("mrr"))).as("plan"),
        max(when(endedRecently, col("discount_pct"))).as("_ended_discount"));
    Column lapsed = Arrays.asList(spine.columns()).contains("lapsed") ? coalesce(col("lapsed"), lit(false)) : lit(false);
    return spine.join(agg, new String[] {"account_id", "as_of_date"}, "left").select(
        col("account_id"), col("as_of_date"),
        lapsed.as("lapsed"),
        coalesce(col("mrr"), lit(0.0)).as("mrr"),
        col("seats"),
        when(col("seats").isNull(), 1).otherwise(0).as("seats_unknown"),
        coalesce(col("discount_pct"), lit(0.0)).as("discount_pct"),
        col("plan"),
        when(col("_ended_discount").gt(coalesce(col("discount_pct"), lit(0.0))), 1).otherwise(0).as("discount_ended_90d"));
  }
}
