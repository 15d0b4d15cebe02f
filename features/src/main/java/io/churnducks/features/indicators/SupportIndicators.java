package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

/**
 * How much support the customer needs, how urgent it is and how it felt about it, from tickets
 * opened before the as-of date D. A ticket counts as closed at D only when it was closed on a day
 * before D (a rating is given when the ticket is closed). Output: {@code account_id, as_of_date} and
 * <ul>
 *   <li>{@code tickets_90d}: tickets opened in the 90 days before D</li>
 *   <li>{@code urgent_tickets_90d}: of those, priority {@link #URGENT_PRIORITIES}</li>
 *   <li>{@code open_tickets}: tickets opened in the {@value #OPEN_LOOKBACK_DAYS} days before D and
 *       not closed at D (older unclosed tickets are taken as abandoned)</li>
 *   <li>{@code avg_hours_to_close_90d}: mean hours from opening to closing of the tickets of the
 *       last 90 days closed at D (null: none closed)</li>
 *   <li>{@code avg_csat_90d}: mean satisfaction 1–5 of the tickets of the last 90 days closed at
 *       D (null: none rated); {@code has_rated_ticket_90d}: 1 when one was rated, else 0, so "never
 *       rated" is a value of its own and not hidden behind an imputed median</li>
 *   <li>{@code tickets_365d} and {@code avg_csat_365d}: the same over the 365 days before D, a
 *       steadier measure of support load and satisfaction for accounts that open few tickets</li>
 * </ul>
 */
public final class SupportIndicators {

  private SupportIndicators() {}

  /** Priorities (lower case, as the contract normalises them) that count as urgent. */
  public static final List<String> URGENT_PRIORITIES = List.of("urgent", "high", "critical");

  /** How far back an unclosed ticket still counts as open, days. */
  public static final int OPEN_LOOKBACK_DAYS = 365;

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> tickets) {
    Windows.require(tickets, "support indicators", "account_id", "opened_at", "closed_at", "satisfaction", "priority");
    Dataset<Row> days = tickets.withColumn("_opened_day", to_date(col("opened_at")));
    Column recent = col("_opened_day").geq(date_sub(col("as_of_date"), 90));
    Column closed = to_date(col("closed_at")).lt(col("as_of_date"));
    Column urgent = lower(col("priority")).isin(URGENT_PRIORITIES.toArray());
    Column hoursToClose = unix_timestamp(col("closed_at")).minus(unix_timestamp(col("opened_at"))).divide(3600.0);
    Dataset<Row> agg = Windows.before(days, "_opened_day", spine, OPEN_LOOKBACK_DAYS)
        .groupBy("account_id", "as_of_date")
        .agg(count(when(recent, 1)).as("tickets_90d"),
            count(when(recent.and(urgent), 1)).as("urgent_tickets_90d"),
            count(when(closed.isNull().or(closed.unary_$bang()), 1)).as("open_tickets"),
            avg(when(recent.and(closed), hoursToClose)).as("avg_hours_to_close_90d"),
            avg(when(recent.and(closed), col("satisfaction"))).as("avg_csat_90d"),
            // Every ticket paired with D: the lookback, OPEN_LOOKBACK_DAYS, is the 365 days before it.
            count(lit(1)).as("tickets_365d"),
            avg(when(closed, col("satisfaction"))).as("avg_csat_365d"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("tickets_90d"), lit(0L)).as("tickets_90d"),
        coalesce(col("urgent_tickets_90d"), lit(0L)).as("urgent_tickets_90d"),
        coalesce(col("open_tickets"), lit(0L)).as("open_tickets"),
        col("avg_hours_to_close_90d"),
        col("avg_csat_90d"),
        when(col("avg_csat_90d").isNotNull(), 1).otherwise(0).as("has_rated_ticket_90d"),
        coalesce(col("tickets_365d"), lit(0L)).as("tickets_365d"),
        col("avg_csat_365d"));
  }
}
