package io.churnducks.features.indicators;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * How much support the customer needs and how it felt about it, over the 90 days before the
 * as-of date. Output: {@code account_id, as_of_date, tickets_90d, avg_csat_90d, has_rated_ticket_90d}
 * (tickets opened; mean satisfaction 1–5 of those closed before the as-of date, since a rating is
 * given when the ticket is closed, null when none was rated; 1 when at least one was rated, else 0,
 * so "never rated" is a value of its own and not hidden behind an imputed median).
 */
public final class SupportIndicators {

  private SupportIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> tickets) {
    Windows.require(tickets, "support indicators", "account_id", "opened_at", "closed_at", "satisfaction");
    Dataset<Row> days = tickets.withColumn("_opened_day", to_date(col("opened_at")));
    Dataset<Row> agg = Windows.before(days, "_opened_day", spine, 90)
        .groupBy("account_id", "as_of_date")
        .agg(count(lit(1)).as("tickets_90d"),
            avg(when(to_date(col("closed_at")).lt(col("as_of_date")), col("satisfaction"))).as("avg_csat_90d"));
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left").select(
        col("account_id"), col("as_of_date"),
        coalesce(col("tickets_90d"), lit(0L)).as("tickets_90d"), col("avg_csat_90d"),
        when(col("avg_csat_90d").isNotNull(), 1).otherwise(0).as("has_rated_ticket_90d"));
  }
}
