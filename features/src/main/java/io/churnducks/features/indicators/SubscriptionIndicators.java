package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.Arrays;

import static org.apache.spark.sql.functions.add_months;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * What the customer pays and how its contract moves, as known before the as-of date D. A
 * subscription counts when it started before D; an end date on or after D was not yet known and is
 * ignored (the same knowledge rule as {@code SubscriptionTimeline.knownAt}). A subscription
 * <em>covers</em> day X &lt; D when it started on or before X and did not end (as known at D) on or
 * before X.
 *
 * <p>The "now" indicators describe the account's <em>last covered day before D</em>: the
 * subscriptions that covered it. For an account active the day before, that is the day before. For
 * a <em>lapsed</em> account (its last subscription ended within the grace period, see
 * {@code SubscriptionTimeline.scoringSpine}), it is the last day of its last subscription, so
 * {@code mrr}, {@code seats}, {@code plan} and {@code discount_pct} describe the subscription it
 * lapsed from, never "no revenue": that is the revenue to save.
 *
 * <p>Output, one row per spine row ({@code account_id, as_of_date} first):
 * <ul>
 *   <li>{@code lapsed}: the spine's {@code lapsed} column when it has one, else false</li>
 *   <li>{@code mrr}, {@code seats}, {@code seats_unknown}, {@code discount_pct}, {@code plan},
 *       {@code billing_period_months}: of the subscriptions covering the last covered day (sums;
 *       largest discount; plan and billing period of the one with the highest MRR)</li>
 *   <li>{@code days_to_renewal}: days from D to the next renewal of that subscription's current
 *       term (start date plus a whole number of billing periods, on or after D); null for a lapsed
 *       account or an unknown billing period</li>
 *   <li>{@code days_to_term_renewal}: the same for a term billed in periods longer than a month
 *       (quarterly, yearly, multi-year); null for a monthly plan (its renewal comes every month and
 *       decides nothing), a lapsed account or an unknown billing period</li>
 *   <li>{@code first_plan}, {@code first_mrr}, {@code first_seats}, {@code first_discount_pct}:
 *       the same of the subscriptions that started on the account's first subscription day</li>
 *   <li>{@code price_change_since_signup}: MRR per seat now ÷ MRR per seat of the first
 *       subscriptions − 1 (per account when seats are not stated)</li>
 *   <li>{@code mrr_change_90d}: (MRR now − MRR on day D−90) ÷ MRR on day D−90 (null when nothing
 *       covered D−90); {@code seats_change_90d}: seats now − seats on day D−90</li>
 *   <li>{@code upgrades_90d}, {@code downgrades_90d}: days in the last 90 on which a subscription
 *       started and the account's MRR went up (down, not to zero) against the day before</li>
 *   <li>{@code discount_ended_90d}: 1 when a subscription with a larger discount than today's
 *       ended in the last 90 days, else 0; {@code days_since_discount_end}: days since the latest
 *       such end, any age (null: none)</li>
 *   <li>{@code days_to_discount_end}: days from D to the end of the time-limited discount
 *       ({@code discount_end_date}, known when the discount was granted) of a subscription covering
 *       the day before D, the nearest if several; null for a lapsed account, no such discount, or an
 *       end already passed</li>
 * </ul>
 */
public final class SubscriptionIndicators {

  private SubscriptionIndicators() {}

  private static final String[] KEY = {"account_id", "as_of_date"};

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> subscriptions) {
    Windows.require(subscriptions, "subscription indicators", "account_id", "start_date", "end_date", "mrr",
        "seats", "discount_pct", "plan", "billing_period_months");
    // A source without time-limited discounts (or a table conformed before the column existed) has no ends.
    Column offerEnd = Arrays.asList(subscriptions.columns()).contains("discount_end_date")
        ? col("discount_end_date") : lit(null).cast("date");
    // An end on or after the as-of date is capped to it: the subscription still covered the day before.
    Dataset<Row> paired = Windows.before(subscriptions, "start_date", spine, 0)
        .select(col("account_id"), col("as_of_date"), col("start_date"), col("end_date"),
            least(coalesce(col("end_date"), col("as_of_date")), col("as_of_date")).as("_known_end"),
            col("mrr"), col("seats"), col("discount_pct"), col("plan"), col("billing_period_months"),
            when(col("discount_pct").gt(0), offerEnd).as("_offer_end"));
    WindowSpec perAccount = Window.partitionBy("account_id", "as_of_date");
    Dataset<Row> rows = paired
        .withColumn("_covered_until", max("_known_end").over(perAccount))
        .withColumn("_first_start", min("start_date").over(perAccount))
        .withColumn("_renewal", renewal(col("start_date"), col("billing_period_months")));
    Column described = col("_known_end").equalTo(col("_covered_until"))
        .and(col("start_date").lt(col("_covered_until")));
    rows = rows.withColumn("_discount_now", coalesce(max(when(described, col("discount_pct"))).over(perAccount),
        lit(0.0)));
    Column first = col("start_date").equalTo(col("_first_start"));
    Column day90 = date_sub(col("as_of_date"), 90);
    Column covers90 = col("start_date").leq(day90).and(col("_known_end").gt(day90));
    Column discountEnded = col("end_date").lt(col("as_of_date")).and(col("discount_pct").gt(col("_discount_now")));

    Dataset<Row> agg = rows.groupBy(KEY[0], KEY[1]).agg(
        sum(when(described, col("mrr"))).as("mrr"),
        sum(when(described, col("seats"))).cast("int").as("seats"),
        max(when(described, col("discount_pct"))).as("discount_pct"),
        max_by(when(described, col("plan")), when(described, col("mrr"))).as("plan"),
        max_by(when(described, col("billing_period_months")), when(described, col("mrr"))).as("billing_period_months"),
        max_by(when(described, col("_renewal")), when(described, col("mrr"))).as("_renewal"),
        max(col("_covered_until")).as("_covered_until"),
        sum(when(first, col("mrr"))).as("first_mrr"),
        sum(when(first, col("seats"))).cast("int").as("first_seats"),
        max(when(first, col("discount_pct"))).as("first_discount_pct"),
        max_by(when(first, col("plan")), when(first, col("mrr"))).as("first_plan"),
        sum(when(covers90, col("mrr"))).as("_mrr_90"),
        sum(when(covers90, col("seats"))).cast("int").as("_seats_90"),
        max(when(discountEnded, col("end_date"))).as("_discount_end"),
        min(when(described.and(col("_offer_end").geq(col("as_of_date"))), col("_offer_end"))).as("_offer_end"));
    Dataset<Row> withMoves = agg.join(moves(rows), KEY, "left");

    Column lapsed = Arrays.asList(spine.columns()).contains("lapsed") ? coalesce(col("lapsed"), lit(false)) : lit(false);
    Column discount = coalesce(col("discount_pct"), lit(0.0));
    Column perSeatNow = when(col("seats").gt(0), col("mrr").divide(col("seats"))).otherwise(col("mrr"));
    Column perSeatFirst = when(col("first_seats").gt(0), col("first_mrr").divide(col("first_seats")))
        .otherwise(col("first_mrr"));
    Column active = col("_covered_until").equalTo(col("as_of_date"));
    return spine.join(withMoves, KEY, "left").select(
        col("account_id"), col("as_of_date"),
        lapsed.as("lapsed"),
        coalesce(col("mrr"), lit(0.0)).as("mrr"),
        col("seats"),
        when(col("seats").isNull(), 1).otherwise(0).as("seats_unknown"),
        discount.as("discount_pct"),
        col("plan"),
        col("billing_period_months"),
        when(active, datediff(col("_renewal"), col("as_of_date"))).as("days_to_renewal"),
        when(active.and(col("billing_period_months").gt(1)), datediff(col("_renewal"), col("as_of_date")))
            .as("days_to_term_renewal"),
        col("first_plan"),
        col("first_mrr"),
        col("first_seats"),
        coalesce(col("first_discount_pct"), lit(0.0)).as("first_discount_pct"),
        when(perSeatFirst.gt(0), perSeatNow.divide(perSeatFirst).minus(1)).as("price_change_since_signup"),
        when(col("_mrr_90").gt(0), coalesce(col("mrr"), lit(0.0)).minus(col("_mrr_90")).divide(col("_mrr_90")))
            .as("mrr_change_90d"),
        col("seats").minus(col("_seats_90")).as("seats_change_90d"),
        coalesce(col("upgrades_90d"), lit(0L)).as("upgrades_90d"),
        coalesce(col("downgrades_90d"), lit(0L)).as("downgrades_90d"),
        when(col("_discount_end").geq(date_sub(col("as_of_date"), 90)), 1).otherwise(0).as("discount_ended_90d"),
        Windows.daysBefore(col("_discount_end")).as("days_since_discount_end"),
        when(active, datediff(col("_offer_end"), col("as_of_date"))).as("days_to_discount_end"));
  }

  /**
   * The next renewal of a term that started on {@code start} with billing periods of
   * {@code months}: the first {@code start + k × months} (k ≥ 0) on or after the as-of date.
   */
  private static Column renewal(Column start, Column months) {
    Column periods = floor(months_between(col("as_of_date"), start).divide(months)).cast("int");
    Column candidate = add_months(start, periods.multiply(months));
    return when(months.gt(0), when(candidate.geq(col("as_of_date")), candidate)
        .otherwise(add_months(start, periods.plus(1).multiply(months))));
  }

  /**
   * Upgrades and downgrades: for each day in the last 90 on which some subscription started, the
   * MRR covering that day against the MRR covering the day before.
   */
  private static Dataset<Row> moves(Dataset<Row> rows) {
    Column recent = col("start_date").geq(date_sub(col("as_of_date"), 90));
    Dataset<Row> starts = rows.where(recent.and(col("start_date").gt(col("_first_start"))))
        .select(col("account_id").as("_a"), col("as_of_date").as("_d"), col("start_date").as("_day")).distinct();
    Dataset<Row> covering = rows.select("account_id", "as_of_date", "start_date", "_known_end", "mrr");
    Column key = covering.col("account_id").equalTo(starts.col("_a"))
        .and(covering.col("as_of_date").equalTo(starts.col("_d")));
    Column coversDay = col("start_date").leq(col("_day")).and(col("_known_end").gt(col("_day")));
    Column coversBefore = col("start_date").lt(col("_day")).and(col("_known_end").geq(col("_day")));
    Dataset<Row> perDay = starts.join(covering, key).groupBy("_a", "_d", "_day").agg(
        coalesce(sum(when(coversDay, col("mrr"))), lit(0.0)).as("_after"),
        coalesce(sum(when(coversBefore, col("mrr"))), lit(0.0)).as("_before"));
    return perDay.groupBy(col("_a").as("account_id"), col("_d").as("as_of_date")).agg(
        count(when(col("_after").gt(col("_before")).and(col("_before").gt(0)), 1)).as("upgrades_90d"),
        count(when(col("_after").lt(col("_before")).and(col("_after").gt(0)), 1)).as("downgrades_90d"));
  }
}
