package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * What the customer says, from NPS answers given on a day before the as-of date. Output:
 * {@code account_id, as_of_date, last_nps, nps_change, nps_answered, avg_nps_365d}: the latest
 * answer (0–10), null when the account never answered; the latest answer minus the one before it
 * (null with fewer than two answers), so a promoter turning passive shows before the score is low;
 * 1 when it answered at least once, else 0 (never answering is a signal of its own, not a missing
 * value to impute); and the mean answer of the 365 days before the as-of date (null: none), which
 * one noisy answer moves less than it moves last_nps.
 */
public final class FeedbackIndicators {

  private FeedbackIndicators() {}

  public static Dataset<Row> apply(Dataset<Row> spine, Dataset<Row> surveys) {
    Windows.require(surveys, "feedback indicators", "account_id", "responded_at", "nps");
    Dataset<Row> days = surveys.withColumn("_responded_day", to_date(col("responded_at")));
    Dataset<Row> agg = Windows.before(days, "_responded_day", spine, 0)
        .groupBy("account_id", "as_of_date")
        .agg(sort_array(collect_list(struct(col("responded_at"), col("nps")))).as("_answers"),
            avg(when(col("_responded_day").geq(date_sub(col("as_of_date"), 365)), col("nps"))).as("avg_nps_365d"));
    Column answers = col("_answers");
    Column last = element_at(answers, -1).getField("nps");
    String[] key = {"account_id", "as_of_date"};
    return spine.select(key[0], key[1]).join(agg, key, "left")
        .select(col("account_id"), col("as_of_date"), last.as("last_nps"),
            when(size(answers).geq(2), last.minus(element_at(answers, -2).getField("nps"))).as("nps_change"),
            when(last.isNotNull(), 1).otherwise(0).as("nps_answered"), col("avg_nps_365d"));
  }
}
